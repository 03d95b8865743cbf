import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A member incident linked into a joint incident; the incident as the caller reads it through the policy. */
export class LinkedIncidentView {
  @ApiProperty({ format: 'uuid' })
  incidentId: string;

  @ApiProperty({ description: 'Passed on to the accepted participants (the onward AMBER pass)' })
  passedOn: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'The coordination team only' })
  linkedAt?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The coordination team only' })
  linkedBy?: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The incident as GET /api/v1/shared/incidents/{id} gives it to you (with `observables`), null once you no longer read it. ' +
      'When its owner takes part pseudonymously, participants see `orgId` = its participant id and `ownerLabel` = its pseudonym.',
  })
  incident: Record<string, unknown> | null;
}

export class PassOrganisationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class PassParticipantView {
  @ApiProperty({ format: 'uuid', description: 'The participant id inside the joint incident' })
  id: string;

  @ApiProperty({ type: String, nullable: true, description: 'Its pseudonym, when it takes part under one' })
  pseudonym: string | null;

  @ApiProperty({ type: PassOrganisationView, nullable: true, description: 'Null when it takes part pseudonymously' })
  organisation: PassOrganisationView | null;
}

/** One onward grant of the owner's incident or observable: which joint incident, which participant reads it. */
export class IncidentPassView {
  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ type: PassOrganisationView, description: 'The coordination team that passed it on' })
  coordinator: PassOrganisationView;

  @ApiProperty({ enum: ['incident', 'observable'] })
  objectType: string;

  @ApiProperty({ format: 'uuid' })
  objectId: string;

  @ApiProperty({ type: PassParticipantView })
  participant: PassParticipantView;
}

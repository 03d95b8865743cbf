import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { PHASES } from '#incidents';
import { TLP_MARKINGS } from '#sharing';
import type { coordinatorParticipantView, jointRegisterItemView } from '../joint-incident.view.js';
import { PARTICIPANT_ROLES } from './joint-incident.dto.js';

/** The response classes of the joint-incident workspace, for the OpenAPI document. */

export class JointRegisterItemView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ example: 'fraud' })
  category: string;

  @ApiProperty({ example: 'phishing' })
  subType: string;

  @ApiProperty({ minimum: 1, maximum: 4 })
  severity: number;

  @ApiProperty({ enum: PHASES })
  phase: (typeof PHASES)[number];

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: (typeof TLP_MARKINGS)[number];

  @ApiProperty({ description: 'An exercise: kept out of statistics and clocks' })
  exercise: boolean;

  @ApiProperty({ description: 'Name it in a change; a stale one answers 409' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ParticipantView {
  @ApiProperty({ format: 'uuid', description: "The participant's id inside this joint incident" })
  id: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Absent for a pseudonymous participant, except to the coordinator and itself' })
  organisationId?: string;

  @ApiPropertyOptional({ description: 'Absent for a pseudonymous participant, except to the coordinator and itself' })
  organisationName?: string;

  @ApiProperty({ type: String, nullable: true, example: 'Participant C' })
  pseudonym: string | null;

  @ApiProperty({ enum: PARTICIPANT_ROLES })
  role: (typeof PARTICIPANT_ROLES)[number];

  @ApiPropertyOptional({ enum: ['invited', 'accepted', 'declined', 'removed'] })
  state?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Its named points of contact (directory entry ids)' })
  pointsOfContact?: string[];

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Coordinator only' })
  invitedAt?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  answeredAt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Coordinator only' })
  declineReason?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Coordinator only' })
  removedAt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Coordinator only' })
  removeReason?: string | null;
}

export class LinkedIncidentView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  incidentId: string;

  @ApiProperty({ format: 'uuid', description: 'The member that owns the incident' })
  organisationId: string;

  @ApiProperty({ description: 'Passed on to the participants (the onward AMBER pass)' })
  passedOn: boolean;

  @ApiProperty({ format: 'date-time' })
  linkedAt: string;
}

export class JointIncidentView extends JointRegisterItemView {
  @ApiProperty({ format: 'uuid', description: 'The coordinator organisation that owns it' })
  coordinatorOrgId: string;

  @ApiPropertyOptional({ description: "Participants' view: the coordinator's name" })
  coordinatorName?: string;

  @ApiProperty()
  summary: string;

  @ApiProperty({ type: String, nullable: true })
  closingSummary: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Coordinator only' })
  createdBy?: string | null;

  @ApiProperty({ type: [ParticipantView], description: 'The coordinator sees every participation; a participant the accepted ones' })
  participants: ParticipantView[];

  @ApiPropertyOptional({ type: [LinkedIncidentView], description: 'Coordinator only' })
  linkedIncidents?: LinkedIncidentView[];
}

export class JointAccessView {
  @ApiProperty({ format: 'uuid' })
  jointIncidentId: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  marking: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The owner (the coordinator) and its rule' })
  owner: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "A participant's own grants and their rule" })
  you?: Record<string, unknown>;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Each participation and its rule; pseudonymous participants by pseudonym and participant id only, except to the coordinator',
  })
  participants: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Coordinator only: every grant' })
  grants?: Record<string, unknown>[];
}

true satisfies Describes<JointRegisterItemView, ReturnType<typeof jointRegisterItemView>>;
true satisfies Describes<ParticipantView, ReturnType<typeof coordinatorParticipantView>>;

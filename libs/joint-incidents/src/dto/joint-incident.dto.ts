import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ClassifiedRecordDto, PHASES, type Phase, RegisterQueryDto } from '#incidents';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

const TLP_MESSAGE = `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so`;

export const PARTICIPANT_ROLES = ['lead', 'affected', 'responder', 'observer'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export class CreateJointIncidentDto extends ClassifiedRecordDto {

  @ApiPropertyOptional({ default: false, description: 'An exercise (ISO/IEC 27035-2 clause 11): kept out of statistics and clocks' })
  @IsOptional()
  @IsBoolean()
  exercise?: boolean;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Incidents members released to your organisation (GET /api/v1/shared/incidents), linked to the joint incident',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'escalate must hold incident ids' })
  escalate?: string[];
}

export class UpdateJointIncidentDto extends PartialType(OmitType(CreateJointIncidentDto, ['escalate'] as const)) {
  @ApiProperty({ description: 'The version read last; a stale one gets 409.' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class ChangeJointPhaseDto {
  @ApiProperty({ enum: PHASES })
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase: Phase;

  @ApiProperty({ description: 'Why: every phase change is a log entry with its reason' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({ description: 'Required to close, with the joint report published (POST /report/publish)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  closingSummary?: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version: number;
}

/** The joint register's query: the incident register's paging and filters that apply, the exercise flag among them. */
export class JointRegisterQueryDto extends PickType(RegisterQueryDto, [
  'limit', 'cursor', 'phase', 'category', 'severity', 'updatedFrom', 'updatedTo', 'exercise',
] as const) {}

export class InviteParticipantDto {
  @ApiProperty({ format: 'uuid', description: 'The organisation invited (active, not the coordinator)' })
  @IsUUID('all', { message: 'organisationId must be an organisation id' })
  organisationId: string;

  @ApiProperty({ enum: PARTICIPANT_ROLES })
  @IsIn(PARTICIPANT_ROLES, { message: `role must be one of ${PARTICIPANT_ROLES.join(', ')}` })
  role: ParticipantRole;

  @ApiPropertyOptional({
    default: false,
    description: 'Take part under a pseudonym ("Participant C"): the other participants never learn which organisation it is',
  })
  @IsOptional()
  @IsBoolean()
  pseudonymous?: boolean;
}

export class AcceptInvitationDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: "Your organisation's points of contact for this joint incident: ids of your own directory entries",
  })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'pointsOfContact must hold point-of-contact ids' })
  pointsOfContact: string[];
}

export class DeclineInvitationDto {
  @ApiProperty({ description: 'Why your organisation declines' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class RemoveParticipantDto {
  @ApiProperty({ description: 'Why the participant is removed' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

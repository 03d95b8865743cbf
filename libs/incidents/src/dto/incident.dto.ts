import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto, IsInstant } from '#common';
import { CLOCK_PROFILES } from '../clock-profiles.js';
import { PHASES, type Phase } from '../incident.fields.js';
import { TLP_MARKINGS, type TlpMarking } from '../markings.js';

const TLP_MESSAGE = `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so`;
const CLOCK_IDS = CLOCK_PROFILES.map((p) => p.id);

export class ReporterDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  contact?: string;
}

/**
 * What every incident record is classified by (an organisation's incident, a joint incident): its title and
 * summary, the RSIT category and sub-type, the severity and the marking, validated once for both.
 */
export class ClassifiedRecordDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  summary?: string;

  @ApiProperty({ example: 'availability', description: 'A category id from GET /api/v1/categories' })
  @IsString()
  @MaxLength(100)
  category: string;

  @ApiProperty({ example: 'ddos', description: 'A sub-type id of that category' })
  @IsString()
  @MaxLength(100)
  subType: string;

  @ApiProperty({ minimum: 1, maximum: 4, description: 'A level from GET /api/v1/severities' })
  @IsInt({ message: 'severity must be a whole number from 1 to 4' })
  @Min(1)
  @Max(4)
  severity: number;

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: TLP_MESSAGE })
  marking: TlpMarking;
}

export class CreateIncidentDto extends ClassifiedRecordDto {

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  impact?: string;

  @ApiPropertyOptional({ description: 'When the organisation became aware; starts the regulatory clocks' })
  @IsOptional()
  @IsInstant()
  awareAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  detectedAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  reportedAt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  containedAt?: string;

  @ApiPropertyOptional({ description: 'Internal only: never leaves the organisation unless released explicitly' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  internalNotes?: string;

  @ApiPropertyOptional({ type: ReporterDto, description: 'Internal only' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReporterDto)
  reporter?: ReporterDto;

  @ApiPropertyOptional({ description: 'Internal only' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  affectedAssets?: string;

  @ApiPropertyOptional({ enum: CLOCK_IDS, isArray: true, description: 'Regulatory clocks this incident runs' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(CLOCK_IDS, { each: true, message: `clockProfiles may hold only ${CLOCK_IDS.join(', ')}` })
  clockProfiles?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'An exercise (ISO/IEC 27035-2 clause 11): runs no regulatory clock, kept out of the figures. Set at creation only',
  })
  @IsOptional()
  @IsBoolean({ message: 'exercise must be true or false' })
  exercise?: boolean;
}

/** Every field but `exercise`: whether an incident is an exercise is decided when it is opened, never after. */
export class UpdateIncidentDto extends PartialType(OmitType(CreateIncidentDto, ['exercise'] as const)) {
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

export class ChangePhaseDto {
  @ApiProperty({ enum: PHASES })
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase: Phase;

  @ApiProperty({ description: 'Why: every phase change is a log entry with its reason' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version: number;
}

export class IncidentReportDto {
  @ApiProperty({ description: 'What happened, in closing (ISO/IEC 27035-1 4.7.4)' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  summary: string;

  @ApiProperty()
  @IsString()
  @MinLength(1, { message: 'lessonsLearned must not be empty: closing needs them' })
  @MaxLength(20000)
  lessonsLearned: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  rootCause?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  actionsTaken?: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version: number;
}

export class RegisterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PHASES })
  @IsOptional()
  @IsIn(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` })
  phase?: Phase;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'severity must be a whole number from 1 to 4' })
  @Min(1)
  @Max(4)
  severity?: number;

  @ApiPropertyOptional({ enum: TLP_MARKINGS })
  @IsOptional()
  @IsIn(TLP_MARKINGS, { message: TLP_MESSAGE })
  marking?: TlpMarking;

  @ApiPropertyOptional({ description: 'Words in the title or summary' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  updatedFrom?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  updatedTo?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  awareFrom?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  awareTo?: string;

  @ApiPropertyOptional({ description: 'true: exercises only; false: real incidents only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'exercise must be true or false' })
  exercise?: boolean;
}

export class SubmissionDto {
  @ApiProperty({ enum: CLOCK_IDS })
  @IsIn(CLOCK_IDS, { message: `profile must be one of ${CLOCK_IDS.join(', ')}` })
  profile: string;

  @ApiProperty({ example: 'early-warning' })
  @IsString()
  @MaxLength(100)
  milestone: string;

  @ApiProperty()
  @IsInstant()
  sentAt: string;

  @ApiPropertyOptional({ description: "The authority's reference" })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  reference?: string;
}

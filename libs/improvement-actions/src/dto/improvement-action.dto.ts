import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '#common';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

export const ACTION_KINDS = ['plan', 'control', 'risk_rating', 'training', 'other'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_STATES = ['open', 'in_progress', 'done', 'dropped'] as const;
export type ActionState = (typeof ACTION_STATES)[number];
export const ACTION_SOURCES = ['incident', 'joint_incident'] as const;
export const MAX_LINKS = 10;

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One entry of evidence of follow-through: a note and links (https only). */
export class EvidenceDto {
  @ApiProperty({ description: 'What was done, and where it shows' })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  note: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_LINKS, description: 'https links to the changed plan, control or record' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LINKS)
  @MaxLength(2048, { each: true })
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: true }, { each: true, message: 'each of links must be an https URL' })
  links?: string[];
}

export class CreateImprovementActionDto {
  @ApiProperty({ enum: ACTION_KINDS, description: 'What the lesson changes: the plan, a control, a risk rating, training, or something else' })
  @IsIn(ACTION_KINDS, { message: `kind must be one of ${ACTION_KINDS.join(', ')}` })
  kind: ActionKind;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @ApiProperty({ format: 'date', example: '2026-03-31', description: 'A calendar date; overdue from the day after (UTC)' })
  @Matches(CALENDAR_DATE, { message: 'dueOn must be a calendar date written YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'dueOn must be a real calendar date' })
  dueOn: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiPropertyOptional({ format: 'uuid', description: 'An active user of your organisation who carries it out (default: you)' })
  @IsOptional()
  @IsUUID('all')
  ownerUserId?: string;

  @ApiPropertyOptional({ default: false, description: "Joint review only: the coordination team reads the action's follow-through (never RED)" })
  @IsOptional()
  @IsBoolean()
  shareWithCoordinator?: boolean;
}

export class UpdateImprovementActionDto extends PickType(CreateImprovementActionDto, ['shareWithCoordinator', 'ownerUserId', 'description'] as const) {
  @ApiProperty({ description: 'The version you read: a change made since answers 409' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional({ enum: ACTION_KINDS })
  @IsOptional()
  @IsIn(ACTION_KINDS, { message: `kind must be one of ${ACTION_KINDS.join(', ')}` })
  kind?: ActionKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(CALENDAR_DATE, { message: 'dueOn must be a calendar date written YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'dueOn must be a real calendar date' })
  dueOn?: string;

  @ApiPropertyOptional({ enum: TLP_MARKINGS })
  @IsOptional()
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking?: TlpMarking;

  @ApiPropertyOptional({ enum: ACTION_STATES, description: 'open → in_progress → done; open or in_progress → dropped (with dropReason)' })
  @IsOptional()
  @IsIn(ACTION_STATES, { message: `state must be one of ${ACTION_STATES.join(', ')}` })
  state?: ActionState;

  @ApiPropertyOptional({ description: 'Required with state dropped' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  dropReason?: string;
}

const BOOLEAN = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** Your organisation's actions, newest first, filtered while walking its index. */
export class ActionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ACTION_STATES })
  @IsOptional()
  @IsIn(ACTION_STATES, { message: `state must be one of ${ACTION_STATES.join(', ')}` })
  state?: ActionState;

  @ApiPropertyOptional({ enum: ACTION_KINDS })
  @IsOptional()
  @IsIn(ACTION_KINDS, { message: `kind must be one of ${ACTION_KINDS.join(', ')}` })
  kind?: ActionKind;

  @ApiPropertyOptional({ description: 'true: open or in progress with dueOn before today (UTC); false: the others' })
  @IsOptional()
  @Transform(BOOLEAN)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ enum: ACTION_SOURCES })
  @IsOptional()
  @IsIn(ACTION_SOURCES, { message: `source must be one of ${ACTION_SOURCES.join(', ')}` })
  source?: (typeof ACTION_SOURCES)[number];
}

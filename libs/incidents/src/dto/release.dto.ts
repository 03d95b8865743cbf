import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RegisterQueryDto } from './incident.dto.js';
import { RECIPIENT_KINDS, type RecipientKind, RELEASABLE_FIELDS, type ReleasableField } from '#sharing';

const REDACTIONS = ['blank', 'pseudonymise'] as const;
type RedactionMode = (typeof REDACTIONS)[number];
const REDACTION_MESSAGE = `a redaction is one of ${REDACTIONS.join(', ')}`;

export class RecipientDto {
  @ApiProperty({ enum: RECIPIENT_KINDS })
  @IsIn(RECIPIENT_KINDS, { message: `kind must be one of ${RECIPIENT_KINDS.join(', ')}` })
  kind: RecipientKind;

  @ApiPropertyOptional({ description: 'The organisation or user; leave it out for the community and the public' })
  @ValidateIf((r: RecipientDto) => r.kind === 'organisation' || r.kind === 'user' || r.id !== undefined)
  @IsUUID('all', { message: 'id must be the id of the organisation or user (a UUID)' })
  id?: string;
}

/** Per field, blank it or replace it with a pseudonym stable within this release. */
export class RedactDto {
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) title?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) summary?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) impact?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) internalNotes?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) reporter?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) affectedAssets?: RedactionMode;
  @ApiPropertyOptional({ enum: REDACTIONS }) @IsOptional() @IsIn(REDACTIONS, { message: REDACTION_MESSAGE }) report?: RedactionMode;
}

export class CreateReleaseDto {
  @ApiProperty({ type: [RecipientDto], description: 'Who receives it; the marking decides which kinds are allowed' })
  @IsArray()
  @ArrayMinSize(1, { message: 'name at least one recipient' })
  @ArrayMaxSize(20, { message: 'name at most 20 recipients in one release' })
  @ValidateNested({ each: true })
  @Type(() => RecipientDto)
  recipients: RecipientDto[];

  @ApiPropertyOptional({ type: [String], description: 'Observables of this incident released with it, each under its own marking' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100, { message: 'release at most 100 observables in one request' })
  @ArrayUnique({ message: 'observables must not name an observable twice' })
  @IsUUID('all', { each: true, message: 'each observable is the id of an observable of this incident' })
  observables?: string[];

  @ApiPropertyOptional({ enum: RELEASABLE_FIELDS, isArray: true, description: 'Internal-only fields released explicitly' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(RELEASABLE_FIELDS, { each: true, message: `fields may name only ${RELEASABLE_FIELDS.join(', ')}` })
  fields?: ReleasableField[];

  @ApiPropertyOptional({ type: RedactDto, description: 'Release a redacted copy: these fields blanked or pseudonymised' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RedactDto)
  redact?: RedactDto;

  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class RevokeReleaseQueryDto {
  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class ExplainQueryDto {
  @ApiPropertyOptional({ description: 'Also answer whether, and why (not), this organisation can read it' })
  @IsOptional()
  @IsUUID('all', { message: 'organisation must be the id of an organisation (a UUID)' })
  organisation?: string;
}

export class SharedQueryDto extends RegisterQueryDto {
  @ApiPropertyOptional({ description: 'Only what this organisation released' })
  @IsOptional()
  @IsUUID('all', { message: 'organisation must be the id of an organisation (a UUID)' })
  organisation?: string;
}

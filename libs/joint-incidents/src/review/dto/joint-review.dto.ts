import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

/** Who reads a contribution besides its author: the coordination team only, or every accepted participant too. */
export const CONTRIBUTION_AUDIENCES = ['coordinator', 'all'] as const;
export type ContributionAudience = (typeof CONTRIBUTION_AUDIENCES)[number];
/** The fields of a contribution a joint report may quote. */
export const QUOTABLE_FIELDS = ['whatHappened', 'whatWorked', 'whatDidNot', 'recommendations'] as const;
export type QuotableField = (typeof QUOTABLE_FIELDS)[number];

const TEXT = 20000;
/** A version is a PostgreSQL integer: a larger one is a 400 naming the field, not an overflow in the database. */
const MAX_VERSION = 2_147_483_647;

export class PatchContributionDto {
  @ApiPropertyOptional({ description: 'What happened, from your side' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatHappened?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatWorked?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatDidNot?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  recommendations?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: "Your own event reports triaged as near misses that count in this review (readers see their count and dates only)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  nearMissIds?: string[];

  @ApiPropertyOptional({ enum: TLP_MARKINGS })
  @IsOptional()
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking?: TlpMarking;

  @ApiPropertyOptional({ enum: CONTRIBUTION_AUDIENCES, description: 'coordinator: the coordination team only; all: every accepted participant too' })
  @IsOptional()
  @IsIn(CONTRIBUTION_AUDIENCES, { message: `audience must be one of ${CONTRIBUTION_AUDIENCES.join(', ')}` })
  audience?: ContributionAudience;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of the coordination team or accepted participants)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];

  @ApiProperty({ description: 'The version you read' })
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version: number;
}

export class PutContributionDto {
  @ApiPropertyOptional({ description: 'What happened, from your side' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatHappened?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatWorked?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  whatDidNot?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  recommendations?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: "Your own event reports triaged as near misses that count in this review (readers see their count and dates only)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  nearMissIds?: string[];

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiProperty({ enum: CONTRIBUTION_AUDIENCES, description: 'coordinator: the coordination team only; all: every accepted participant too' })
  @IsIn(CONTRIBUTION_AUDIENCES, { message: `audience must be one of ${CONTRIBUTION_AUDIENCES.join(', ')}` })
  audience: ContributionAudience;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of the coordination team or accepted participants)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];

  @ApiPropertyOptional({ description: 'Absent to contribute; the version you read to replace your contribution' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}

export class QuoteDto {
  @ApiProperty({ format: 'uuid', description: 'A contribution you may read' })
  @IsUUID('all')
  contributionId: string;

  @ApiProperty({ enum: QUOTABLE_FIELDS })
  @IsIn(QUOTABLE_FIELDS, { message: `field must be one of ${QUOTABLE_FIELDS.join(', ')}` })
  field: QuotableField;

  @ApiPropertyOptional({ description: 'First character quoted (0-based); with end' })
  @IsOptional()
  @IsInt()
  @Min(0)
  start?: number;

  @ApiPropertyOptional({ description: 'One past the last character quoted; with start' })
  @IsOptional()
  @IsInt()
  @Min(1)
  end?: number;
}

export class PutJointReportDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  summary?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50000)
  findings?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50000)
  recommendations?: string;

  @ApiPropertyOptional({ type: [QuoteDto], description: 'References to contributions; the text is resolved for each reader at read' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => QuoteDto)
  quotes?: QuoteDto[];

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiPropertyOptional({ description: 'Absent to compile the report; the version you read to replace the draft' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}

export class PublishJointReportDto {
  @ApiProperty({ description: 'The version of the draft you publish' })
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version: number;
}

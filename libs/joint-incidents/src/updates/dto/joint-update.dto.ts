import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

export const UPDATE_KINDS = ['update', 'advisory'] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];
export const AUDIENCES = ['all', 'chosen', 'coordinator'] as const;
export type Audience = (typeof AUDIENCES)[number];

export class CreateJointUpdateDto {
  @ApiProperty({ enum: UPDATE_KINDS, description: 'advisory: the coordination team only; update: the team or any accepted participant' })
  @IsIn(UPDATE_KINDS, { message: `kind must be one of ${UPDATE_KINDS.join(', ')}` })
  kind: UpdateKind;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  body: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiProperty({ enum: AUDIENCES, description: 'all participants, the participants chosen in audienceOrgs, or the coordination team only' })
  @IsIn(AUDIENCES, { message: `audience must be one of ${AUDIENCES.join(', ')}` })
  audience: Audience;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'With audience chosen: accepted participants, each by its organisation id or its participant id (how pseudonymous participants are named)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceOrgs?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of accepted participants or the coordination team)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsInstant } from '#common';
import { OBSERVABLE_TYPES, type ObservableType } from '#incidents';
import { PAP_VALUES, type Pap, TLP_MARKINGS, type TlpMarking } from '#sharing';

/** A joint observable: checked and stored in its normal form exactly as an incident's observable is. */
export class CreateJointObservableDto {
  @ApiProperty({ enum: OBSERVABLE_TYPES })
  @IsIn(OBSERVABLE_TYPES, { message: `type must be one of ${OBSERVABLE_TYPES.join(', ')}` })
  type: ObservableType;

  @ApiProperty({ example: '192.0.2.10' })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  value: string;

  @ApiProperty({ enum: TLP_MARKINGS })
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking: TlpMarking;

  @ApiPropertyOptional({ enum: PAP_VALUES, default: 'AMBER' })
  @IsOptional()
  @IsIn(PAP_VALUES, { message: `pap must be one of ${PAP_VALUES.join(', ')}` })
  pap?: Pap;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  firstSeen?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInstant()
  lastSeen?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of accepted participants or the coordination team)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];
}

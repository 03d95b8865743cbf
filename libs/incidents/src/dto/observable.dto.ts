import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant } from '#common';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { PAP_VALUES, type Pap, TLP_MARKINGS, type TlpMarking } from '../markings.js';
import { OBSERVABLE_TYPES, type ObservableType } from '../observable-types.js';

export class CreateObservableDto {
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
}

/** An observable's handling can change; its value cannot (add a new observable instead). */
export class UpdateObservableDto {
  @ApiProperty({ description: 'The version read last; a stale one gets 409.' })
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional({ enum: TLP_MARKINGS, description: 'Tightening withdraws the releases the new marking no longer allows' })
  @IsOptional()
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking?: TlpMarking;

  @ApiPropertyOptional({ enum: PAP_VALUES })
  @IsOptional()
  @IsIn(PAP_VALUES, { message: `pap must be one of ${PAP_VALUES.join(', ')}` })
  pap?: Pap;

  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

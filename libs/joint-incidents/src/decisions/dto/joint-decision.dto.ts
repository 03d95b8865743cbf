import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsInstant } from '#common';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

/** A decision of the assess-and-decide phase (27035-2): what was decided and why; who and when are recorded. */
export class CreateJointDecisionDto {
  @ApiProperty({ description: 'What was decided' })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  decision: string;

  @ApiProperty({ description: 'Why' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  rationale: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it was decided; now by default' })
  @IsOptional()
  @IsInstant()
  decidedAt?: string;

  @ApiPropertyOptional({ enum: TLP_MARKINGS, description: "The joint incident's marking by default" })
  @IsOptional()
  @IsIn(TLP_MARKINGS, { message: `marking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so` })
  marking?: TlpMarking;
}

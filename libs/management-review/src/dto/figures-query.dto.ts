import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsInstant } from '#common';

export const FIGURES_FORMATS = ['json', 'csv'] as const;
export type FiguresFormat = (typeof FIGURES_FORMATS)[number];

/** The review window [from, to) and, optionally, the format (else the Accept header decides). */
export class FiguresQueryDto {
  @ApiProperty({ example: '2025-01-01T00:00:00Z', description: 'Start of the window, included' })
  @IsInstant()
  from: string;

  @ApiProperty({ example: '2026-01-01T00:00:00Z', description: 'End of the window, excluded; after from, at most five years later' })
  @IsInstant()
  to: string;

  @ApiPropertyOptional({ enum: FIGURES_FORMATS, description: 'csv: the same figures as one section,key,value table (as Accept: text/csv)' })
  @IsOptional()
  @IsIn(FIGURES_FORMATS, { message: `format must be one of ${FIGURES_FORMATS.join(', ')}` })
  format?: FiguresFormat;
}

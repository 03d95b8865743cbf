import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant } from '#common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { CreateIncidentDto } from './incident.dto.js';

export class CreateEventReportDto {
  @ApiProperty({ description: 'Who reports (internal only once promoted)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reporterName: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(300)
  reporterContact?: string;

  @ApiPropertyOptional({ description: 'When the event was observed' })
  @IsOptional()
  @IsInstant()
  observedAt?: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  description: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  affectedAsset?: string;

  @ApiPropertyOptional({ example: 'IDS alert' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  detectionMethod?: string;
}

export class TriageDto {
  @ApiProperty({ enum: ['promote', 'dismiss', 'near_miss'] })
  @IsIn(['promote', 'dismiss', 'near_miss'], { message: 'outcome must be one of promote, dismiss, near_miss' })
  outcome: 'promote' | 'dismiss' | 'near_miss';

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  version: number;

  @ApiPropertyOptional({ type: CreateIncidentDto, description: 'Required to promote: the incident to open' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CreateIncidentDto)
  incident?: CreateIncidentDto;
}

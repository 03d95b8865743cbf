import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

export class LinkIncidentDto {
  @ApiProperty({ format: 'uuid', description: 'An incident its owner released to your organisation (readable at /api/v1/shared/incidents/{id})' })
  @IsUUID('all')
  incidentId: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Pass it on (DESIGN section 4, the onward AMBER pass): the accepted participants then read it, and its AMBER or looser observables released to you, ' +
      'through this joint incident. Only for AMBER, GREEN or CLEAR incidents released to your organisation; never AMBER+STRICT or RED.',
  })
  @IsOptional()
  @IsBoolean()
  passOn?: boolean;

  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class UnlinkQueryDto {
  @ApiPropertyOptional({ description: 'Why, for the management log' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

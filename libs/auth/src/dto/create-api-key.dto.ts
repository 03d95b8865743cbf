import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant } from '#common';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'threat-feed puller' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ['handler', 'viewer'], isArray: true, example: ['viewer'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(['handler', 'viewer'], { each: true, message: 'roles may hold only handler or viewer: an API key never administers' })
  roles: ('handler' | 'viewer')[];

  @ApiPropertyOptional({ description: 'RFC 3339 time after which the key stops working.', example: '2027-01-31T12:00:00Z' })
  @IsOptional()
  @IsInstant()
  expiresAt?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDateString, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

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

  @ApiPropertyOptional({ description: 'ISO 8601 time after which the key stops working.' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'expiresAt must be an ISO 8601 date and time' })
  expiresAt?: string;
}

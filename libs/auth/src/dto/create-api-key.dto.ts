import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, Matches, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

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
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: 'expiresAt must be an ISO 8601 date and time with a time zone, such as 2027-01-31T12:00:00Z',
  })
  expiresAt?: string;
}

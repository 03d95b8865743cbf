import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, Min, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { CONTACT_CHANNEL_KINDS, type ContactChannelKind } from '../point-of-contact.entity.js';

export class ContactChannelDto {
  @ApiProperty({ enum: CONTACT_CHANNEL_KINDS })
  @IsIn(CONTACT_CHANNEL_KINDS, { message: `kind must be one of ${CONTACT_CHANNEL_KINDS.join(', ')}` })
  kind: ContactChannelKind;

  @ApiProperty({ example: '+49 30 1234567' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  value: string;
}

export class PointOfContactDto {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'CSIRT duty officer' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  roleTitle?: string;

  @ApiPropertyOptional({ description: 'A user of this organisation who is this point of contact' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;

  @ApiProperty({ type: [ContactChannelDto], description: 'At least two channels (ISO/IEC 27035-4 asks for redundancy).' })
  @IsArray()
  @ArrayMinSize(2, { message: 'channels must list at least two ways to reach this contact' })
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ContactChannelDto)
  channels: ContactChannelDto[];
}

export class ReplacePointOfContactDto extends PointOfContactDto {
  @ApiProperty({ description: 'The version read last; a stale one gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

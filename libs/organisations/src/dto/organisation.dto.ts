import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PageQueryDto } from '#common';

export class FirstAdminDto {
  @ApiProperty()
  @IsEmail({}, { message: 'admin.email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12, { message: 'admin.password must be at least 12 characters' })
  @MaxLength(1024)
  password: string;
}

export class CreateOrganisationDto {
  @ApiProperty({ example: 'northbank', description: 'lower-case letters, digits and hyphens' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'slug must be 2 to 63 lower-case letters, digits or hyphens' })
  slug: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ['member', 'coordinator', 'partner'] })
  @IsIn(['member', 'coordinator', 'partner'], { message: 'kind must be one of member, coordinator, partner' })
  kind: 'member' | 'coordinator' | 'partner';

  @ApiPropertyOptional({ example: 'finance' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sector?: string;

  @ApiPropertyOptional({ example: 'DE', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as DE' })
  country?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone (default UTC)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiProperty({ type: FirstAdminDto })
  @ValidateNested()
  @Type(() => FirstAdminDto)
  admin: FirstAdminDto;
}

export class DirectoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['member', 'coordinator', 'partner'] })
  @IsOptional()
  @IsIn(['member', 'coordinator', 'partner'], { message: 'kind must be one of member, coordinator, partner' })
  kind?: 'member' | 'coordinator' | 'partner';
}

export class UpdateOrganisationDto {
  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone: how due dates read for your organisation' })
  @IsString()
  @MaxLength(64)
  timeZone: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import type { Role } from '#auth';
import { ROLE_MESSAGE, ROLE_VALUES } from './user.dto.js';

export class InviteUserDto {
  @ApiProperty({ example: 'analyst@northbank.demo' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ enum: ROLE_VALUES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsIn(ROLE_VALUES, { each: true, message: ROLE_MESSAGE })
  roles: Role[];
}

export class AcceptInvitationDto {
  @ApiProperty({ description: 'The invitation token the admin (or the CLI) was shown once; single use.' })
  @IsString()
  @MaxLength(512)
  token: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(1024)
  password: string;
}

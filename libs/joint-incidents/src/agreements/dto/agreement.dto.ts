import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { INSTANT_EXAMPLE, IsInstant } from '#common';
import { TLP_MARKINGS, type TlpMarking } from '#sharing';

const TLP_MESSAGE = `defaultMarking must be one of ${TLP_MARKINGS.join(', ')}, written exactly so`;

/** One duty a party must staff with named points of contact, and how many at least. */
export class RequiredContactDto {
  @ApiProperty({ example: 'Duty officer', description: 'What the contacts are for; compared without case' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  duty: string;

  @ApiProperty({ minimum: 1, maximum: 10, example: 2, description: 'How many distinct points of contact each party names for it, at least' })
  @IsInt({ message: 'minimum must be a whole number from 1 to 10' })
  @Min(1)
  @Max(10)
  minimum: number;
}

/** What every version of an agreement states. */
export class AgreementTermsDto {
  @ApiProperty({ description: 'The text of the agreement, as the parties accept it' })
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  text: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'The party organisations (ids); not the coordinator itself' })
  @IsArray()
  @ArrayMinSize(1, { message: 'parties must name at least one organisation' })
  @ArrayMaxSize(200)
  @ArrayUnique({ message: 'parties must not name an organisation twice' })
  @IsUUID('all', { each: true, message: 'each of parties must be an organisation id (a UUID)' })
  parties: string[];

  @ApiProperty({ enum: TLP_MARKINGS, description: 'The marking joint work under this agreement starts from' })
  @IsIn(TLP_MARKINGS, { message: TLP_MESSAGE })
  defaultMarking: TlpMarking;

  @ApiProperty({ format: 'date-time', example: INSTANT_EXAMPLE, description: 'From when the version is in force' })
  @IsInstant()
  validFrom: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Until when (exclusive); absent or null: open-ended' })
  @IsOptional()
  @IsInstant()
  validUntil?: string | null;

  @ApiPropertyOptional({
    type: [RequiredContactDto],
    description: 'The points of contact each party must name when it accepts; default: two for the duty "point of contact"',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RequiredContactDto)
  requiredContacts?: RequiredContactDto[];
}

export class CreateAgreementDto extends AgreementTermsDto {
  @ApiProperty({ example: 'Sector coordination agreement 2027' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;
}

/** A new version replaces the terms; every party accepts it anew. */
export class PublishVersionDto extends AgreementTermsDto {
  @ApiProperty({ minimum: 1, description: 'The current version, which this one supersedes (409 if it is not current)' })
  @IsInt({ message: 'supersedes must be a whole number' })
  @Min(1)
  supersedes: number;
}

/** One point of contact of the accepting organisation, named for one duty of the agreement. */
export class NamedContactDto {
  @ApiProperty({ example: 'point of contact', description: 'A duty the version names' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  duty: string;

  @ApiProperty({ format: 'uuid', description: "An entry of your organisation's points of contact" })
  @IsUUID('all', { message: 'pointOfContactId must be a UUID' })
  pointOfContactId: string;
}

export class AcceptAgreementDto {
  @ApiProperty({ minimum: 1, description: 'The version you accept: it must be the current one (409 otherwise)' })
  @IsInt({ message: 'version must be a whole number' })
  @Min(1)
  version: number;

  @ApiProperty({ type: [NamedContactDto], description: "Your points of contact, as the version's requiredContacts ask (422 otherwise)" })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => NamedContactDto)
  pointsOfContact: NamedContactDto[];
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsUUID } from 'class-validator';
import { CreateObservableDto } from '#incidents';

/** A joint observable: checked and stored in its normal form exactly as an incident's observable is. */
export class CreateJointObservableDto extends CreateObservableDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'RED only, and then required: the users it reaches (of accepted participants or the coordination team)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  audienceUsers?: string[];
}

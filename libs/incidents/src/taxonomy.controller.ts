import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyPrincipal } from '#auth';
import { RSIT_CATEGORIES, SEVERITY_SCALE } from './taxonomy.js';

@ApiTags('classification')
@ApiBearerAuth()
@Controller('api/v1')
@AnyPrincipal()
export class TaxonomyController {
  @Get('categories')
  @ApiOperation({ summary: 'Incident categories and sub-types in force (RSIT by default)' })
  categories() {
    return { items: RSIT_CATEGORIES };
  }

  @Get('severities')
  @ApiOperation({ summary: 'The severity scale in force, with the criteria of each level' })
  severities() {
    return { items: SEVERITY_SCALE };
  }
}

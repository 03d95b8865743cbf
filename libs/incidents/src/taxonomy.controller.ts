import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiItemsResponse } from '#common';
import { AnyPrincipal } from '#auth';
import { CategoryView, SeverityLevelView } from './dto/taxonomy-view.dto.js';
import { RSIT_CATEGORIES, SEVERITY_SCALE } from './taxonomy.js';

@ApiTags('classification')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/v1')
@AnyPrincipal()
export class TaxonomyController {
  @Get('categories')
  @ApiOperation({ summary: 'Incident categories and sub-types in force (RSIT by default)' })
  @ApiItemsResponse(CategoryView)
  categories() {
    return { items: RSIT_CATEGORIES };
  }

  @Get('severities')
  @ApiOperation({ summary: 'The severity scale in force, with the criteria of each level' })
  @ApiItemsResponse(SeverityLevelView)
  severities() {
    return { items: SEVERITY_SCALE };
  }
}

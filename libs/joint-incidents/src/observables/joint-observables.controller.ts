import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateJointObservableDto } from './dto/joint-observable.dto.js';
import { JointObservableView } from './dto/joint-observable-view.dto.js';
import { JointObservablesService } from './joint-observables.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/observables')
export class JointObservablesController {
  constructor(private readonly observables: JointObservablesService) {}

  @Post()
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: 'Add an observable (the coordination team or an accepted participant), with its own marking and PAP' })
  @ApiCreatedResponse({ type: JointObservableView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateJointObservableDto) {
    return this.observables.create(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The observables you may read in this joint incident, newest first' })
  @ApiPageResponse(JointObservableView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.observables.list(principal, id, query);
  }
}

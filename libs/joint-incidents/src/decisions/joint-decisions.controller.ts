import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateJointDecisionDto } from './dto/joint-decision.dto.js';
import { JointDecisionView } from './dto/joint-decision-view.dto.js';
import { JointDecisionsService } from './joint-decisions.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/decisions')
export class JointDecisionsController {
  constructor(private readonly decisions: JointDecisionsService) {}

  @Post()
  @Roles('coordinator')
  @ApiOperation({ summary: 'Record a decision of the assess-and-decide phase: what and why (who and when are recorded)' })
  @ApiCreatedResponse({ type: JointDecisionView })
  @ApiErrors(...BODY_ERRORS, 409)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateJointDecisionDto) {
    return this.decisions.create(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The decisions you may read in this joint incident, newest first' })
  @ApiPageResponse(JointDecisionView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.decisions.list(principal, id, query);
  }
}

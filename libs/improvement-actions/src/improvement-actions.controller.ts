import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { ActionQueryDto, CreateImprovementActionDto, EvidenceDto, UpdateImprovementActionDto } from './dto/improvement-action.dto.js';
import { ImprovementActionView } from './dto/improvement-action-view.dto.js';
import { ImprovementActionsService } from './improvement-actions.service.js';

const WRITERS = ['admin', 'handler', 'coordinator'] as const;

@ApiTags('improvement actions')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/improvement-actions')
export class ImprovementActionsController {
  constructor(private readonly actions: ImprovementActionsService) {}

  @Get()
  @ApiOperation({ summary: "Your organisation's improvement actions, newest first, by state, kind, source and overdue" })
  @ApiPageResponse(ImprovementActionView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: ActionQueryDto) {
    return this.actions.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One action: your own, or one a participant shares with your coordination team (404 otherwise)' })
  @ApiOkResponse({ type: ImprovementActionView })
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.actions.get(principal, id);
  }

  @Patch(':id')
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Change your action: its fields, its state (open → in_progress → done, or dropped with a reason), its sharing' })
  @ApiOkResponse({ type: ImprovementActionView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  update(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: UpdateImprovementActionDto) {
    return this.actions.update(principal, id, body);
  }

  @Post(':id/evidence')
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Add evidence of follow-through to your action: a note and https links, kept with who and when' })
  @ApiCreatedResponse({ type: ImprovementActionView })
  @ApiErrors(...BODY_ERRORS)
  addEvidence(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: EvidenceDto) {
    return this.actions.addEvidence(principal, id, body);
  }
}

@ApiTags('improvement actions')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/incidents/:id/actions')
export class IncidentActionsController {
  constructor(private readonly actions: ImprovementActionsService) {}

  @Post()
  @Roles(...WRITERS)
  @ApiOperation({ summary: 'Raise an improvement action from your own incident (it has its report, or is in learn_lessons or closed)' })
  @ApiCreatedResponse({ type: ImprovementActionView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateImprovementActionDto) {
    return this.actions.createFromIncident(principal, id, body);
  }
}

@ApiTags('improvement actions')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/actions')
export class JointActionsController {
  constructor(private readonly actions: ImprovementActionsService) {}

  @Post()
  @Roles(...WRITERS)
  @ApiOperation({ summary: "Raise an improvement action of your organisation from the joint incident's review (learn_lessons or closed)" })
  @ApiCreatedResponse({ type: ImprovementActionView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateImprovementActionDto) {
    return this.actions.createFromJoint(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: "The review's actions you read: your own, and (the coordination team) those their owners share with it" })
  @ApiPageResponse(ImprovementActionView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: ActionQueryDto) {
    return this.actions.listForJoint(principal, id, query);
  }
}

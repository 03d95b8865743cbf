import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateJointUpdateDto } from './dto/joint-update.dto.js';
import { JointUpdateView } from './dto/joint-update-view.dto.js';
import { JointUpdatesService } from './joint-updates.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/updates')
export class JointUpdatesController {
  constructor(private readonly updates: JointUpdatesService) {}

  @Post()
  @Roles('admin', 'handler', 'coordinator')
  @ApiOperation({ summary: 'Post an update (the coordination team or an accepted participant) or an advisory (the team only), with its marking and audience' })
  @ApiCreatedResponse({ type: JointUpdateView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateJointUpdateDto) {
    return this.updates.create(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The updates and advisories you may read in this joint incident, newest first' })
  @ApiPageResponse(JointUpdateView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.updates.list(principal, id, query);
  }

  @Get(':updateId')
  @ApiOperation({ summary: 'One update or advisory you may read (404 otherwise)' })
  @ApiOkResponse({ type: JointUpdateView })
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Param('updateId', IdParam()) updateId: string) {
    return this.updates.get(principal, id, updateId);
  }
}

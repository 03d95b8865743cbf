import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiItemsResponse, BODY_ERRORS, IdParam } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { LinkIncidentDto, UnlinkQueryDto } from './dto/linked-incident.dto.js';
import { IncidentPassView, LinkedIncidentView } from './dto/linked-incident-view.dto.js';
import { IncidentPassesService } from './incident-passes.service.js';
import { LinkedIncidentsService } from './linked-incidents.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/joint-incidents/:id/linked-incidents')
export class LinkedIncidentsController {
  constructor(private readonly links: LinkedIncidentsService) {}

  @Post()
  @Roles('coordinator')
  @ApiOperation({ summary: 'Link an incident released to you; with passOn, pass it on to the accepted participants (AMBER, GREEN or CLEAR only: 422 otherwise)' })
  @ApiCreatedResponse({ type: LinkedIncidentView })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  link(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: LinkIncidentDto) {
    return this.links.link(principal, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The coordination team: every linked incident. A participant: the incidents passed on to it that it reads' })
  @ApiItemsResponse(LinkedIncidentView)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.links.list(principal, id);
  }

  @Delete(':incidentId')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Unlink an incident: what was passed on through this joint incident ends at once' })
  @ApiOkResponse({ type: LinkedIncidentView })
  @ApiErrors(400)
  unlink(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('incidentId', IdParam()) incidentId: string,
    @Query() query: UnlinkQueryDto,
  ) {
    return this.links.unlink(principal, id, incidentId, query.reason);
  }
}

@ApiTags('sharing')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/incidents/:id/passes')
export class IncidentPassesController {
  constructor(private readonly passes: IncidentPassesService) {}

  @Get()
  @ApiOperation({ summary: 'The owner: where your incident was passed on (joint incident, participant by pseudonym when it takes part under one)' })
  @ApiItemsResponse(IncidentPassView)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.passes.list(principal, id);
  }
}

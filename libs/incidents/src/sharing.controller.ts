import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiItemsResponse, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { AccessExplanationView, ReleaseView, SharedIncidentDetailView, SharedIncidentView } from './dto/sharing-view.dto.js';
import { CreateReleaseDto, ExplainQueryDto, RevokeReleaseQueryDto, SharedQueryDto } from './dto/release.dto.js';
import { IncidentAccessService } from './incident-access.service.js';
import { ReleasesService } from './releases.service.js';
import { SharedIncidentsService } from './shared-incidents.service.js';

const Releasers = () => Roles('admin', 'handler', 'coordinator');

@ApiTags('sharing')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/incidents/:id')
export class ReleasesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly access: IncidentAccessService,
  ) {}

  @Get('releases')
  @ApiOperation({ summary: 'The releases of one of your incidents, live and revoked' })
  @ApiPageResponse(ReleaseView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.releases.list(principal, id, query);
  }

  @Post('releases')
  @Releasers()
  @ApiOperation({ summary: 'Release the incident, and chosen observables, to recipients the marking allows (422 names the rule otherwise)' })
  @ApiItemsResponse(ReleaseView, { status: 201, description: 'The releases made: one per recipient and object' })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateReleaseDto) {
    return this.releases.create(principal, id, body);
  }

  @Delete('releases/:releaseId')
  @Releasers()
  @ApiOperation({ summary: 'Revoke a release: access ends at once, with the observables released with it' })
  @ApiItemsResponse(ReleaseView, { description: 'The releases ended: this one and those riding on it' })
  @ApiErrors(400, 409)
  revoke(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('releaseId', IdParam()) releaseId: string,
    @Query() query: RevokeReleaseQueryDto,
  ) {
    return this.releases.revoke(principal, id, releaseId, query.reason);
  }

  @Get('access')
  @ApiOperation({ summary: 'Who can read this incident, and why; with ?organisation=, whether and why (not) that organisation can' })
  @ApiOkResponse({ type: AccessExplanationView })
  @ApiErrors(400)
  explain(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: ExplainQueryDto) {
    return this.access.explain(principal, id, query.organisation);
  }
}

@ApiTags('sharing')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/shared/incidents')
export class SharedIncidentsController {
  constructor(private readonly shared: SharedIncidentsService) {}

  @Get()
  @ApiOperation({ summary: "What other organisations released to your organisation or to you (the coordinator's inbox, a member's shared view)" })
  @ApiPageResponse(SharedIncidentView, 'One page; each item holds only what the releases to you let through')
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: SharedQueryDto) {
    return this.shared.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident released to you, with the observables released with it' })
  @ApiOkResponse({ type: SharedIncidentDetailView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.shared.get(principal, id);
  }
}

import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiItemsResponse, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { AccessExplanationView, ReleaseView, SharedIncidentDetailView, SharedIncidentView } from './dto/sharing-view.dto.js';
import { CreateReleaseDto, ExplainQueryDto, RevokeReleaseQueryDto, SharedQueryDto } from './dto/release.dto.js';
import { AccessExplainer, ReleasesService, type ReleaseViewOf } from '#sharing';
import { SharedIncidentsService } from './shared-incidents.service.js';

const Releasers = () => Roles('admin', 'handler', 'coordinator');

const incident = (id: string) => ({ type: 'incident', id });

/** A release as the incident API has always shown it: the container is the incident. */
export function incidentRelease({ containerType: _type, containerId, ...release }: ReleaseViewOf) {
  return { incidentId: containerId, ...release };
}

@ApiTags('sharing')
@ApiBearerAuth()
@ApiErrors(401, 403, 404)
@Controller('api/v1/incidents/:id')
export class ReleasesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly access: AccessExplainer,
  ) {}

  @Get('releases')
  @ApiOperation({ summary: 'The releases of one of your incidents, live and revoked' })
  @ApiPageResponse(ReleaseView)
  @ApiErrors(400)
  async list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return (await this.releases.list(principal, incident(id), query)).map(incidentRelease);
  }

  @Post('releases')
  @Releasers()
  @ApiOperation({ summary: 'Release the incident, and chosen observables, to recipients the marking allows (422 names the rule otherwise)' })
  @ApiItemsResponse(ReleaseView, { status: 201, description: 'The releases made: one per recipient and object' })
  @ApiErrors(...BODY_ERRORS, 409, 422)
  async create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateReleaseDto) {
    const redact = Object.fromEntries(Object.entries(body.redact ?? {}).filter(([, mode]) => mode !== undefined));
    const request = { recipients: body.recipients, fields: body.fields ?? [], redact, reason: body.reason, contained: { field: 'observables', ids: body.observables ?? [] } };
    const { items } = await this.releases.create(principal, incident(id), request);
    return { items: items.map(incidentRelease) };
  }

  @Delete('releases/:releaseId')
  @Releasers()
  @ApiOperation({ summary: 'Revoke a release: access ends at once, with the observables released with it' })
  @ApiItemsResponse(ReleaseView, { description: 'The releases ended: this one and those riding on it' })
  @ApiErrors(400, 409)
  async revoke(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('releaseId', IdParam()) releaseId: string,
    @Query() query: RevokeReleaseQueryDto,
  ) {
    const { items } = await this.releases.revoke(principal, incident(id), releaseId, query.reason);
    return { items: items.map(incidentRelease) };
  }

  @Get('access')
  @ApiOperation({ summary: 'Who can read this incident, and why; with ?organisation=, whether and why (not) that organisation can' })
  @ApiOkResponse({ type: AccessExplanationView })
  @ApiErrors(400)
  async explain(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: ExplainQueryDto) {
    const { objectType: _type, objectId, ...answer } = await this.access.explain(principal, 'incident', id, query.organisation);
    return { incidentId: objectId, ...answer };
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

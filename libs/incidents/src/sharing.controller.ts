import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateReleaseDto, ExplainQueryDto, RevokeReleaseQueryDto, SharedQueryDto } from './dto/release.dto.js';
import { IncidentAccessService } from './incident-access.service.js';
import { ReleasesService } from './releases.service.js';
import { SharedIncidentsService } from './shared-incidents.service.js';

const Releasers = () => Roles('admin', 'handler', 'coordinator');

@ApiTags('sharing')
@ApiBearerAuth()
@Controller('api/v1/incidents/:id')
export class ReleasesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly access: IncidentAccessService,
  ) {}

  @Get('releases')
  @ApiOperation({ summary: 'The releases of one of your incidents, live and revoked' })
  list(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.releases.list(principal, id, query);
  }

  @Post('releases')
  @Releasers()
  @ApiOperation({ summary: 'Release the incident, and chosen observables, to recipients the marking allows (422 names the rule otherwise)' })
  create(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateReleaseDto) {
    return this.releases.create(principal, id, body);
  }

  @Delete('releases/:releaseId')
  @Releasers()
  @ApiOperation({ summary: 'Revoke a release: access ends at once, with the observables released with it' })
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
  explain(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: ExplainQueryDto) {
    return this.access.explain(principal, id, query.organisation);
  }
}

@ApiTags('sharing')
@ApiBearerAuth()
@Controller('api/v1/shared/incidents')
export class SharedIncidentsController {
  constructor(private readonly shared: SharedIncidentsService) {}

  @Get()
  @ApiOperation({ summary: "What other organisations released to your organisation or to you (the coordinator's inbox, a member's shared view)" })
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: SharedQueryDto) {
    return this.shared.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident released to you, with the observables released with it' })
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.shared.get(principal, id);
  }
}

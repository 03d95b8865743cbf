import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors, ApiItemsResponse, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { ChainVerdictView, CheckpointView, LogEntryView, LogService } from '#audit';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
import { CreateEventReportDto, TriageDto } from './dto/event-report.dto.js';
import { ChangePhaseDto, CreateIncidentDto, IncidentReportDto, RegisterQueryDto, SubmissionDto, UpdateIncidentDto } from './dto/incident.dto.js';
import { CreateObservableDto, UpdateObservableDto } from './dto/observable.dto.js';
import { EventReportView } from './dto/event-report-view.dto.js';
import { ClocksView, IncidentView, RegisterItemView } from './dto/incident-view.dto.js';
import { ObservableView } from './dto/observable-view.dto.js';
import { EventReportsService } from './event-reports.service.js';
import { IncidentsService } from './incidents.service.js';
import { ObservablesService } from './observables.service.js';

/** Who may change the register: every role but the read-only viewer. */
const Editors = () => Roles('admin', 'handler', 'coordinator');

@ApiTags('incidents')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly observables: ObservablesService,
    private readonly logs: LogService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The register: your organisation's incidents, newest change first" })
  @ApiPageResponse(RegisterItemView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: RegisterQueryDto) {
    return this.incidents.list(principal, query);
  }

  @Post()
  @Editors()
  @ApiOperation({ summary: 'Open an incident in your register (logged, with its classification checked)' })
  @ApiCreatedResponse({ type: IncidentView })
  @ApiErrors(...BODY_ERRORS)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Body() body: CreateIncidentDto) {
    return this.incidents.create(principal, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your incidents, every field included' })
  @ApiOkResponse({ type: IncidentView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.incidents.get(principal, id);
  }

  @Patch(':id')
  @Editors()
  @ApiOperation({ summary: 'Change fields; name the version you read (409 if stale)' })
  @ApiOkResponse({ type: IncidentView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  update(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: UpdateIncidentDto) {
    return this.incidents.update(principal, id, body);
  }

  @Post(':id/phase')
  @Editors()
  @HttpCode(200)
  @ApiOperation({ summary: 'Move to another phase, with the reason (only allowed transitions; closing needs the report)' })
  @ApiOkResponse({ type: IncidentView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  changePhase(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: ChangePhaseDto) {
    return this.incidents.changePhase(principal, id, body);
  }

  @Put(':id/report')
  @Editors()
  @ApiOperation({ summary: 'Write the incident report with lessons learned' })
  @ApiOkResponse({ type: IncidentView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  putReport(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: IncidentReportDto) {
    return this.incidents.putReport(principal, id, body);
  }

  @Get(':id/observables')
  @ApiOperation({ summary: "An incident's observables, oldest first" })
  @ApiItemsResponse(ObservableView)
  @ApiErrors(404)
  listObservables(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.observables.list(principal, id);
  }

  @Post(':id/observables')
  @Editors()
  @ApiOperation({ summary: 'Add an observable (checked and stored in its normal form; 409 if the incident has it already)' })
  @ApiCreatedResponse({ type: ObservableView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  addObservable(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: CreateObservableDto) {
    return this.observables.create(principal, id, body);
  }

  @Patch(':id/observables/:observableId')
  @Editors()
  @ApiOperation({ summary: "Change an observable's marking or PAP; name the version you read (409 if stale)" })
  @ApiOkResponse({ type: ObservableView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  updateObservable(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('observableId', IdParam()) observableId: string,
    @Body() body: UpdateObservableDto,
  ) {
    return this.observables.update(principal, id, observableId, body);
  }

  @Get(':id/log')
  @ApiOperation({ summary: 'The management log: every action and decision, in order' })
  @ApiItemsResponse(LogEntryView)
  @ApiErrors(404)
  log(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.incidents.log(principal, id);
  }

  @Get(':id/log/verify')
  @ApiOperation({ summary: 'Recompute the hash chain and name the first broken entry' })
  @ApiOkResponse({ type: ChainVerdictView })
  @ApiErrors(404)
  verifyLog(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.incidents.verifyLog(principal, id);
  }

  @Post(':id/log/checkpoints')
  @Editors()
  @ApiOperation({ summary: "Sign the log's current head with the hub's checkpoint key (keys at /.well-known/jwks.json)" })
  @ApiCreatedResponse({ type: CheckpointView })
  @ApiErrors(404, 422)
  createCheckpoint(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.logs.createCheckpoint(principal, { type: 'incident', id });
  }

  @Get(':id/log/checkpoints')
  @ApiOperation({ summary: "The log's signed checkpoints, oldest first; also to organisations the incident is released to" })
  @ApiItemsResponse(CheckpointView)
  @ApiErrors(404)
  listCheckpoints(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.logs.listCheckpoints(principal, { type: 'incident', id });
  }

  @Get(':id/clocks')
  @ApiOperation({ summary: 'Regulatory clocks (NIS2 by default): due times, what was sent, what is overdue; none for an exercise' })
  @ApiOkResponse({ type: ClocksView })
  @ApiErrors(404)
  clocks(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.incidents.clocks(principal, id);
  }

  @Post(':id/clocks/submissions')
  @Editors()
  @ApiOperation({ summary: 'Record what was sent to an authority, and when (refused with 422 for an exercise)' })
  @ApiCreatedResponse({ type: ClocksView, description: 'The clocks, with this submission' })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  recordSubmission(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: SubmissionDto) {
    return this.incidents.recordSubmission(principal, id, body);
  }
}

@ApiTags('event reports')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/event-reports')
export class EventReportsController {
  constructor(private readonly reports: EventReportsService) {}

  @Post()
  @Editors()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first result' })
  @ApiOperation({ summary: 'Submit an event report (idempotent with Idempotency-Key)' })
  @ApiCreatedResponse({ type: EventReportView, description: 'Submitted' })
  @ApiOkResponse({ type: EventReportView, description: 'A retry with the same Idempotency-Key: the first result, with `Idempotent-Replayed: true`' })
  @ApiErrors(...BODY_ERRORS, 422)
  async submit(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Body() body: CreateEventReportDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { report, replayed } = await this.reports.submit(principal, body, idempotencyKey);
    reply.status(replayed ? 200 : 201);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return report;
  }

  @Get()
  @ApiOperation({ summary: "Your organisation's event reports, newest first" })
  @ApiPageResponse(EventReportView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: PageQueryDto) {
    return this.reports.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One event report, with how it was triaged' })
  @ApiOkResponse({ type: EventReportView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.reports.get(principal, id);
  }

  @Post(':id/triage')
  @Editors()
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote to an incident, dismiss with a reason, or keep as a near miss' })
  @ApiOkResponse({ type: EventReportView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  triage(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: TriageDto) {
    return this.reports.triage(principal, id, body);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiItemsResponse, ApiPageResponse, BODY_ERRORS, IdParam } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles } from '#auth';
// The log's response classes are the audit library's: one chain format for every subject.
import { ChainVerdictView, CheckpointView, LogEntryView } from '#audit';
import {
  AcceptInvitationDto,
  ChangeJointPhaseDto,
  CreateJointIncidentDto,
  DeclineInvitationDto,
  InviteParticipantDto,
  JointRegisterQueryDto,
  RemoveParticipantDto,
  UpdateJointIncidentDto,
} from './dto/joint-incident.dto.js';
import { JointAccessView, JointIncidentView, JointRegisterItemView, ParticipantView } from './dto/joint-incident-view.dto.js';
import { JointAccessService } from './joint-access.service.js';
import { JointIncidentsService } from './joint-incidents.service.js';
import { ParticipantsService } from './participants.service.js';

@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/joint-incidents')
export class JointIncidentsController {
  constructor(
    private readonly joints: JointIncidentsService,
    private readonly participants: ParticipantsService,
    private readonly access: JointAccessService,
  ) {}

  @Post()
  @Roles('coordinator')
  @ApiOperation({ summary: 'Open a joint incident, from scratch or escalating incidents members released to you (coordinator)' })
  @ApiCreatedResponse({ type: JointIncidentView })
  @ApiErrors(...BODY_ERRORS, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Body() body: CreateJointIncidentDto) {
    return this.joints.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: "The coordinator's joint register; for any other organisation, the joint incidents it takes part in" })
  @ApiPageResponse(JointRegisterItemView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: JointRegisterQueryDto) {
    return this.joints.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One joint incident: everything to the coordinator, the shared projection to an accepted participant' })
  @ApiOkResponse({ type: JointIncidentView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.joints.get(principal, id);
  }

  @Patch(':id')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Change fields; name the version you read (409 if stale). Tightening the marking withdraws at once' })
  @ApiOkResponse({ type: JointIncidentView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  update(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: UpdateJointIncidentDto) {
    return this.joints.update(principal, id, body);
  }

  @Post(':id/phase')
  @Roles('coordinator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move to another phase with the reason (the incident phase machine); closing needs closingSummary' })
  @ApiOkResponse({ type: JointIncidentView })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  changePhase(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: ChangeJointPhaseDto) {
    return this.joints.changePhase(principal, id, body);
  }

  @Post(':id/participants')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Invite an organisation with a role, optionally pseudonymous (its agreement must be in force: else 422)' })
  @ApiCreatedResponse({ type: ParticipantView })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  invite(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: InviteParticipantDto) {
    return this.participants.invite(principal, id, body);
  }

  @Get(':id/participants')
  @ApiOperation({ summary: 'The participants: every participation to the coordinator; the accepted ones, pseudonyms kept, to a participant' })
  @ApiItemsResponse(ParticipantView)
  @ApiErrors(404)
  listParticipants(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.participants.list(principal, id);
  }

  @Post(':id/participants/:orgId/accept')
  @Roles('admin', 'handler')
  @HttpCode(200)
  @ApiOperation({ summary: "Accept your organisation's invitation, naming its points of contact (agreement in force required: else 422)" })
  @ApiOkResponse({ type: ParticipantView })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  accept(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('orgId', IdParam()) orgId: string,
    @Body() body: AcceptInvitationDto,
  ) {
    return this.participants.accept(principal, id, orgId, body);
  }

  @Post(':id/participants/:orgId/decline')
  @Roles('admin', 'handler')
  @HttpCode(200)
  @ApiOperation({ summary: "Decline your organisation's invitation, with the reason" })
  @ApiOkResponse({ type: ParticipantView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  decline(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('orgId', IdParam()) orgId: string,
    @Body() body: DeclineInvitationDto,
  ) {
    return this.participants.decline(principal, id, orgId, body);
  }

  @Delete(':id/participants/:orgId')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Remove a participant, with the reason: everything it read through the joint incident is withdrawn at once' })
  @ApiOkResponse({ type: ParticipantView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  remove(
    @CurrentPrincipal() principal: OrgPrincipal,
    @Param('id', IdParam()) id: string,
    @Param('orgId', IdParam()) orgId: string,
    @Body() body: RemoveParticipantDto,
  ) {
    return this.participants.remove(principal, id, orgId, body);
  }

  @Get(':id/log')
  @ApiOperation({ summary: "The joint incident's management log (coordinator only: it names every participant)" })
  @ApiItemsResponse(LogEntryView)
  @ApiErrors(404)
  log(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.joints.log(principal, id);
  }

  @Get(':id/log/verify')
  @ApiOperation({ summary: 'Recompute the hash chain and name the first broken entry (coordinator only)' })
  @ApiOkResponse({ type: ChainVerdictView })
  @ApiErrors(404)
  verifyLog(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.joints.verifyLog(principal, id);
  }

  @Post(':id/log/checkpoints')
  @Roles('coordinator')
  @ApiOperation({ summary: "Sign the chain's head as a checkpoint (JWS, kid = the key's thumbprint), for the participants to keep" })
  @ApiCreatedResponse({ type: CheckpointView })
  @ApiErrors(404, 422)
  createCheckpoint(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.joints.createCheckpoint(principal, id);
  }

  @Get(':id/log/checkpoints')
  @ApiOperation({ summary: "The joint incident's signed checkpoints, oldest first (coordinator and accepted participants)" })
  @ApiItemsResponse(CheckpointView)
  @ApiErrors(404)
  listCheckpoints(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.joints.listCheckpoints(principal, id);
  }

  @Get(':id/access')
  @ApiOperation({ summary: 'Who reads the joint incident and why (pseudonymous participants by pseudonym only, except to the coordinator)' })
  @ApiOkResponse({ type: JointAccessView })
  @ApiErrors(404)
  explain(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.access.explain(principal, id);
  }
}

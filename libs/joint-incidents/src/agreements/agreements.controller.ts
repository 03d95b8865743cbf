import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { CurrentPrincipal, type OrgPrincipal, Roles, UsersOnly } from '#auth';
import { AcceptAgreementDto, CreateAgreementDto, PublishVersionDto } from './dto/agreement.dto.js';
import { AcceptanceView, AgreementItemView, AgreementView } from './dto/agreement-view.dto.js';
import { AgreementsService } from './agreements.service.js';

@ApiTags('agreements')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/agreements')
export class AgreementsController {
  constructor(private readonly agreements: AgreementsService) {}

  @Post()
  @Roles('coordinator')
  @ApiOperation({ summary: 'Publish a coordination agreement to party organisations (its first version)' })
  @ApiCreatedResponse({ type: AgreementView })
  @ApiErrors(...BODY_ERRORS, 422)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Body() body: CreateAgreementDto) {
    return this.agreements.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: 'Your agreements: those you publish as coordinator, and those naming your organisation as a party' })
  @ApiPageResponse(AgreementItemView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: PageQueryDto) {
    return this.agreements.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One agreement with the versions you may read (the coordinator: all; a party: those naming it)' })
  @ApiOkResponse({ type: AgreementView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.agreements.get(principal, id);
  }

  @Post(':id/versions')
  @Roles('coordinator')
  @ApiOperation({ summary: 'Publish a new version; acceptances of earlier versions no longer count (409 if `supersedes` is not current)' })
  @ApiCreatedResponse({ type: AgreementView })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  publishVersion(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: PublishVersionDto) {
    return this.agreements.publishVersion(principal, id, body);
  }

  @Post(':id/acceptances')
  @UsersOnly('admin')
  @ApiOperation({ summary: "Accept the current version for your organisation (its admin), naming the points of contact it asks for" })
  @ApiCreatedResponse({ type: AcceptanceView })
  @ApiErrors(...BODY_ERRORS, 404, 409, 422)
  accept(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: AcceptAgreementDto) {
    return this.agreements.accept(principal, id, body);
  }

  @Get(':id/acceptances')
  @ApiOperation({ summary: "The acceptances: the coordinator reads every party's, a party its own; newest first" })
  @ApiPageResponse(AcceptanceView)
  @ApiErrors(400, 404)
  listAcceptances(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Query() query: PageQueryDto) {
    return this.agreements.listAcceptances(principal, id, query);
  }
}

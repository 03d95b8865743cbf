import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, BODY_ERRORS, IdParam, PageQueryDto } from '#common';
import { AnyPrincipal, CurrentPrincipal, OperatorOnly, type Principal, Public, Roles, UsersOnly, type OrgPrincipal } from '#auth';
import { AcceptInvitationDto, InviteUserDto } from './dto/invitation.dto.js';
import { CreateOrganisationDto, DirectoryQueryDto, UpdateOrganisationDto } from './dto/organisation.dto.js';
import { PointOfContactDto, ReplacePointOfContactDto } from './dto/point-of-contact.dto.js';
import { UpdateUserDto } from './dto/user.dto.js';
import { AcceptedInvitationView, CreatedOrganisation, InvitationView, IssuedInvitationView, OrganisationView, PointOfContactView, PointsOfContactList, UserView } from './dto/views.dto.js';
import { InvitationsService } from './invitations.service.js';
import { OrganisationsService } from './organisations.service.js';
import { PointsOfContactService } from './points-of-contact.service.js';
import { UsersService } from './users.service.js';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/v1/organisations')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly contacts: PointsOfContactService,
  ) {}

  @Get()
  @AnyPrincipal()
  @ApiOperation({ summary: 'The organisation directory: name, kind, sector, country' })
  @ApiPageResponse(OrganisationView)
  @ApiErrors(400)
  directory(@CurrentPrincipal() principal: Principal, @Query() query: DirectoryQueryDto) {
    return this.organisations.directory(principal, query);
  }

  @Get(':id')
  @AnyPrincipal()
  @ApiOperation({ summary: 'One organisation of the directory (its status only to itself and the operator)' })
  @ApiOkResponse({ type: OrganisationView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam()) id: string) {
    return this.organisations.get(principal, id);
  }

  @Get(':id/points-of-contact')
  @AnyPrincipal()
  @ApiOperation({ summary: "An organisation's points of contact (members and coordinators read them)" })
  @ApiOkResponse({ type: PointsOfContactList })
  @ApiErrors(404)
  pointsOfContact(@CurrentPrincipal() principal: Principal, @Param('id', IdParam()) id: string) {
    return this.contacts.listFor(principal, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: "Your organisation's admin: change its settings (its IANA time zone, in which due dates are shown for it)" })
  @ApiOkResponse({ type: OrganisationView })
  @ApiErrors(...BODY_ERRORS, 403, 404)
  update(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: UpdateOrganisationDto) {
    return this.organisations.update(principal, id, body);
  }

  @Post()
  @OperatorOnly()
  @ApiOperation({ summary: 'Platform operator: create an organisation with its first admin' })
  @ApiCreatedResponse({ type: CreatedOrganisation })
  @ApiErrors(...BODY_ERRORS, 403, 409)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateOrganisationDto) {
    return this.organisations.create(principal, body);
  }

  @Post(':id/disable')
  @OperatorOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Platform operator: disable an organisation; its users are refused at once, its sessions, API keys and invitations revoked for good',
  })
  @ApiOkResponse({ type: OrganisationView })
  @ApiErrors(403, 404)
  disable(@CurrentPrincipal() principal: Principal, @Param('id', IdParam()) id: string) {
    return this.organisations.setStatus(principal, id, 'disabled');
  }

  @Post(':id/enable')
  @OperatorOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Platform operator: enable a disabled organisation again' })
  @ApiOkResponse({ type: OrganisationView })
  @ApiErrors(403, 404)
  enable(@CurrentPrincipal() principal: Principal, @Param('id', IdParam()) id: string) {
    return this.organisations.setStatus(principal, id, 'active');
  }
}

@ApiTags('users')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/users')
@UsersOnly('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: "Your organisation's users (admin)" })
  @ApiPageResponse(UserView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: PageQueryDto) {
    return this.users.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user of your organisation (admin)' })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(404)
  get(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    return this.users.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change roles, name, password or status (disabling ends its sessions, API keys and invitations at once; demoting an admin its keys and invitations)',
  })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  update(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: UpdateUserDto) {
    return this.users.update(principal, id, body);
  }
}

@ApiTags('invitations')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/invitations')
@UsersOnly('admin')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @ApiOperation({
    summary: 'Invite a user to your organisation (admin): the same answer whether or not the email has an account; the token is shown once',
  })
  @ApiCreatedResponse({ type: IssuedInvitationView })
  @ApiErrors(...BODY_ERRORS)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Body() body: InviteUserDto) {
    return this.invitations.create(principal, body);
  }

  @Get()
  @ApiOperation({ summary: "Your organisation's invitations (admin), never their tokens" })
  @ApiPageResponse(InvitationView)
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: PageQueryDto) {
    return this.invitations.list(principal, query.cursor, query.limit);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw a pending invitation (admin)' })
  @ApiNoContentResponse({ description: 'Withdrawn' })
  @ApiErrors(404)
  async revoke(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    await this.invitations.revoke(principal, id);
  }
}

@ApiTags('auth')
@Controller('api/v1/auth/invitations')
export class InvitationAcceptanceController {
  constructor(private readonly invitations: InvitationsService) {}

  @Public()
  @Post('accept')
  @ApiOperation({ summary: 'Accept an invitation: set your password with its single-use token; the user is created' })
  @ApiCreatedResponse({ type: AcceptedInvitationView })
  @ApiErrors(...BODY_ERRORS, 429)
  accept(@Body() body: AcceptInvitationDto) {
    return this.invitations.accept(body.token, body.password);
  }
}

@ApiTags('points of contact')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/points-of-contact')
@UsersOnly('admin')
export class PointsOfContactController {
  constructor(private readonly contacts: PointsOfContactService) {}

  @Post()
  @ApiOperation({ summary: "Name a point of contact of your organisation (admin)" })
  @ApiCreatedResponse({ type: PointOfContactView })
  @ApiErrors(...BODY_ERRORS)
  create(@CurrentPrincipal() principal: OrgPrincipal, @Body() body: PointOfContactDto) {
    return this.contacts.create(principal, body);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a point of contact; name the version you read (409 if stale)' })
  @ApiOkResponse({ type: PointOfContactView })
  @ApiErrors(...BODY_ERRORS, 404, 409)
  replace(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string, @Body() body: ReplacePointOfContactDto) {
    return this.contacts.replace(principal, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a point of contact of your organisation' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(404)
  async remove(@CurrentPrincipal() principal: OrgPrincipal, @Param('id', IdParam()) id: string) {
    await this.contacts.remove(principal, id);
  }
}

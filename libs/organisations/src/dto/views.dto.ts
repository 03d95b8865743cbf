import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Describes } from '#common';
import { CONTACT_CHANNEL_KINDS } from '../point-of-contact.entity.js';
import type { MeController } from '../me.controller.js';
import type { OrganisationsService } from '../organisations.service.js';
import type { PointsOfContactService } from '../points-of-contact.service.js';
import type { InvitationsService } from '../invitations.service.js';
import type { organisationView, pointOfContactView, userView } from '../views.js';

const ORG_KINDS = ['member', 'coordinator', 'partner'] as const;
const ROLES = ['admin', 'handler', 'viewer', 'coordinator'] as const;
const STATUSES = ['active', 'disabled'] as const;

/** The response classes of `views.ts`, for the OpenAPI document; the checks below keep them in step. */

/** An organisation named by its id, slug and name. */
export class OrganisationRef {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'northbank' })
  slug: string;

  @ApiProperty({ example: 'Northbank' })
  name: string;
}

export class OrganisationView extends OrganisationRef {

  @ApiProperty({ enum: ORG_KINDS })
  kind: (typeof ORG_KINDS)[number];

  @ApiProperty({ type: String, nullable: true, example: 'finance' })
  sector: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'NL', description: 'ISO 3166-1 alpha-2' })
  country: string | null;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Only to the platform operator and the organisation itself' })
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'With status' })
  disabledAt?: string | null;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'With status: the IANA zone due dates are shown in for this organisation' })
  timeZone?: string;
}

/** Who a user is: the fields a user, an invitation and an accepted invitation share. */
class UserIdentity {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles: (typeof ROLES)[number][];
}

export class UserView extends UserIdentity {
  @ApiProperty({ enum: STATUSES })
  status: (typeof STATUSES)[number];

  @ApiProperty({ description: 'Name it in a change; a stale one answers 409' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ContactChannelView {
  @ApiProperty({ enum: CONTACT_CHANNEL_KINDS })
  kind: (typeof CONTACT_CHANNEL_KINDS)[number];

  @ApiProperty()
  value: string;
}

export class PointOfContactView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  orgId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  roleTitle: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user behind this contact, if any' })
  userId: string | null;

  @ApiProperty({ type: [ContactChannelView] })
  channels: ContactChannelView[];

  @ApiProperty({ description: 'Name it in a replacement; a stale one answers 409' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** An organisation's points of contact, and whether they meet the ISO/IEC 27035-4 minimum. */
export class PointsOfContactList {
  @ApiProperty({ type: [PointOfContactView] })
  items: PointOfContactView[];

  @ApiProperty({ description: 'At least two contacts with at least two channels each' })
  meetsMinimum: boolean;
}

export class CreatedOrganisation {
  @ApiProperty({ type: OrganisationView })
  organisation: OrganisationView;

  @ApiProperty({ type: UserView, description: 'The first admin' })
  admin: UserView;
}

/** `GET /me`: the caller, whichever kind it is. */
export class MeView {
  @ApiProperty({ enum: ['user', 'api_key', 'operator'] })
  kind: string;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true, description: 'null for an API key' })
  email: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Users only; null for an API key, absent for the operator' })
  displayName?: string | null;

  @ApiProperty({ enum: ROLES, isArray: true, description: 'Empty for the platform operator' })
  roles: (typeof ROLES)[number][];

  @ApiProperty({ type: OrganisationView, nullable: true, description: 'null for the platform operator' })
  organisation: OrganisationView | null;
}

/** An invitation as its organisation's admins see it: never its token. */
export class InvitationView extends UserIdentity {
  @ApiProperty({ enum: ['pending', 'accepted', 'revoked', 'expired'] })
  status: 'pending' | 'accepted' | 'revoked' | 'expired';

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

/** The answer to an invitation: the same whether or not the email has an account anywhere. */
export class IssuedInvitationView extends InvitationView {
  @ApiProperty({ description: 'Single-use, shown this once: hand it to the invitee, who sets a password with it' })
  token: string;
}

/** The user an accepted invitation created (`id` is the user's), and its organisation. */
export class AcceptedInvitationView extends UserIdentity {
  @ApiProperty({ type: OrganisationRef })
  organisation: OrganisationRef;
}

true satisfies Describes<OrganisationView, ReturnType<typeof organisationView>>;
true satisfies Describes<UserView, ReturnType<typeof userView>>;
true satisfies Describes<PointOfContactView, ReturnType<typeof pointOfContactView>>;
true satisfies Describes<PointsOfContactList, Awaited<ReturnType<PointsOfContactService['listFor']>>>;
true satisfies Describes<CreatedOrganisation, Awaited<ReturnType<OrganisationsService['create']>>>;
true satisfies Describes<MeView, Awaited<ReturnType<MeController['me']>>>;
true satisfies Describes<IssuedInvitationView, Awaited<ReturnType<InvitationsService['create']>>>;
true satisfies Describes<AcceptedInvitationView, Awaited<ReturnType<InvitationsService['accept']>>>;

import type { OrganisationEntity } from './organisation.entity.js';
import type { PointOfContactEntity } from './point-of-contact.entity.js';
import type { UserEntity } from './user.entity.js';

/** What the directory shows of an organisation: every authenticated caller may read it. */
export function organisationView(org: OrganisationEntity, withStatus: boolean) {
  return {
    id: org.id,
    slug: org.slug,
    name: org.name,
    kind: org.kind,
    sector: org.sector,
    country: org.country,
    ...(withStatus ? { status: org.status, disabledAt: org.disabledAt?.toISOString() ?? null, timeZone: org.timeZone } : {}),
  };
}

/** What an organisation's admin sees of its users; never the password hash. */
export function userView(user: UserEntity) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    status: user.status,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function pointOfContactView(poc: PointOfContactEntity) {
  return {
    id: poc.id,
    orgId: poc.orgId,
    name: poc.name,
    roleTitle: poc.roleTitle,
    userId: poc.userId,
    channels: poc.channels,
    version: poc.version,
    updatedAt: poc.updatedAt.toISOString(),
  };
}

import type { INestApplicationContext } from '@nestjs/common';
import type { OrgPrincipal, Role } from '#auth';
import { OPERATOR_CONTEXT, organisationContext, TenantDatabase } from '#database';
import { OrganisationEntity, PointsOfContactService, UserEntity } from '#organisations';
import { AgreementsService } from './agreements.service.js';

export const DEMO_AGREEMENT_TITLE = 'Demo coordination agreement';

/**
 * For the demo seed: the coordinator publishes an agreement naming every member organisation, open-ended and
 * valid from now, and each member's admin accepts it naming its first two points of contact. Goes through
 * the services, so the demo obeys the same rules as the API. Needs the seeded coordinator (a user with the
 * coordinator role), the members' admins and two points of contact per member.
 */
export async function seedDemoAgreement(app: INestApplicationContext): Promise<{ agreementId: string; version: number; parties: string[] }> {
  const db = app.get(TenantDatabase);
  const agreements = app.get(AgreementsService);
  const contacts = app.get(PointsOfContactService);
  const organisations = await db.run(OPERATOR_CONTEXT, (tx) =>
    tx.repository(OrganisationEntity).find({ where: { status: 'active' }, order: { name: 'ASC', id: 'ASC' } }),
  );
  const coordinatorOrg = organisations.find((o) => o.kind === 'coordinator');
  if (!coordinatorOrg) throw new Error('the demo agreement needs a coordinator organisation');
  const members = organisations.filter((o) => o.kind === 'member');
  const coordinator = await userWithRole(db, coordinatorOrg, 'coordinator');

  const agreement = await agreements.create(coordinator, {
    title: DEMO_AGREEMENT_TITLE,
    text:
      'The parties take part in joint incidents this coordinator opens, share what they learn under the markings ' +
      'given, and keep their points of contact reachable (ISO/IEC 27035-4).',
    parties: members.map((m) => m.id),
    defaultMarking: 'AMBER',
    validFrom: new Date().toISOString(),
    validUntil: null,
  });
  for (const member of members) {
    const admin = await userWithRole(db, member, 'admin');
    const directory = await contacts.listFor(admin, member.id);
    await agreements.accept(admin, agreement.id, {
      version: agreement.currentVersion,
      pointsOfContact: directory.items.slice(0, 2).map((c) => ({ duty: 'point of contact', pointOfContactId: c.id })),
    });
  }
  return { agreementId: agreement.id, version: agreement.currentVersion, parties: members.map((m) => m.id) };
}

export async function userWithRole(db: TenantDatabase, org: OrganisationEntity, role: Role): Promise<OrgPrincipal> {
  const users = await db.run(organisationContext(org.id, null, org.kind), (tx) =>
    tx.repository(UserEntity).find({ where: { orgId: org.id, status: 'active' }, order: { createdAt: 'ASC', id: 'ASC' } }),
  );
  const user = users.find((u) => u.roles.includes(role));
  if (!user) throw new Error(`the demo agreement needs an active ${role} in ${org.slug}`);
  return { kind: 'user', id: user.id, orgId: org.id, orgKind: org.kind, roles: user.roles, email: user.email, sessionId: 'seed' };
}

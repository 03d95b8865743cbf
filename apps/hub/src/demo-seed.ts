import type { INestApplicationContext } from '@nestjs/common';
import { DEMO_PASSWORD } from '#common';
import { PasswordHasher, type Principal } from '#auth';
import { OPERATOR_CONTEXT, TenantDatabase, upsertPlatformOperator } from '#database';
import { InvitationsService, OrganisationEntity, OrganisationsService, PointsOfContactService } from '#organisations';

export interface DemoLogin {
  organisation: string;
  kind: string;
  role: string;
  email: string;
}

interface DemoOrganisation {
  slug: string;
  name: string;
  kind: 'member' | 'coordinator' | 'partner';
  sector: string;
  country: string;
  timeZone: string;
}

export const DEMO_OPERATOR_EMAIL = 'operator@hub.demo';

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  { slug: 'national-csirt', name: 'National CSIRT', kind: 'coordinator', sector: 'government', country: 'DE', timeZone: 'Europe/Berlin' },
  { slug: 'northbank', name: 'Northbank', kind: 'member', sector: 'finance', country: 'DE', timeZone: 'Europe/Berlin' },
  { slug: 'st-marys-hospital', name: "St Mary's Hospital", kind: 'member', sector: 'health', country: 'DE', timeZone: 'Europe/Berlin' },
  { slug: 'gridpower', name: 'GridPower Energy', kind: 'member', sector: 'energy', country: 'AT', timeZone: 'Europe/Vienna' },
  { slug: 'netwatch-isp', name: 'NetWatch ISP', kind: 'partner', sector: 'telecommunications', country: 'NL', timeZone: 'Europe/Amsterdam' },
];

/** Demo logins follow one pattern: `<role>@<organisation slug>.demo`. */
export function demoEmail(slug: string, role: string): string {
  return `${role}@${slug}.demo`;
}

function demoRoles(kind: DemoOrganisation['kind']) {
  return kind === 'coordinator' ? (['coordinator', 'handler', 'viewer'] as const) : (['handler', 'viewer'] as const);
}

/** Every demo login, operator first. */
export function demoLogins(): DemoLogin[] {
  return [
    { organisation: '(platform)', kind: 'operator', role: 'operator', email: DEMO_OPERATOR_EMAIL },
    ...DEMO_ORGANISATIONS.flatMap((org) =>
      ['admin', ...demoRoles(org.kind)].map((role) => ({ organisation: org.name, kind: org.kind, role, email: demoEmail(org.slug, role) })),
    ),
  ];
}

/**
 * Seeds the demo once: a platform operator, a coordinator, three members and a partner, with an admin,
 * a handler and a viewer in each (and a coordinator user in the coordinator), each invited by its admin and
 * accepting with the demo password. Runs through the same services as the API, so the demo data obeys the
 * same rules. Returns false when the hub was seeded before.
 */
export async function seedDemo(app: INestApplicationContext, ownerUrl: string): Promise<boolean> {
  const db = app.get(TenantDatabase);
  const empty = await db.run(OPERATOR_CONTEXT, async (tx) => {
    const existing = await tx.repository(OrganisationEntity).count();
    return existing === 0;
  });
  if (!empty) return false;

  const hasher = app.get(PasswordHasher);
  const passwordHash = await hasher.hash(DEMO_PASSWORD);
  const operatorId = await upsertPlatformOperator(ownerUrl, { email: DEMO_OPERATOR_EMAIL, displayName: 'Hub operator', passwordHash });
  const operator: Principal = { kind: 'operator', id: operatorId, email: DEMO_OPERATOR_EMAIL, sessionId: 'seed' };
  const organisations = app.get(OrganisationsService);
  const invitations = app.get(InvitationsService);
  const contacts = app.get(PointsOfContactService);

  for (const org of DEMO_ORGANISATIONS) {
    const created = await organisations.create(operator, {
      ...org,
      admin: { email: demoEmail(org.slug, 'admin'), displayName: `${org.name} admin`, password: DEMO_PASSWORD },
    });
    const admin: Principal = {
      kind: 'user',
      id: created.admin.id,
      orgId: created.organisation.id,
      orgKind: org.kind,
      roles: ['admin'],
      email: created.admin.email,
      sessionId: 'seed',
    };
    for (const role of demoRoles(org.kind)) {
      const invitation = await invitations.create(admin, { email: demoEmail(org.slug, role), displayName: `${org.name} ${role}`, roles: [role] });
      await invitations.accept(invitation.token, DEMO_PASSWORD);
    }
    for (const duty of ['Duty officer', 'Deputy duty officer']) {
      await contacts.create(admin, {
        name: `${org.name} ${duty.toLowerCase()}`,
        roleTitle: duty,
        channels: [
          { kind: 'email', value: `${duty.toLowerCase().replace(/ /g, '-')}@${org.slug}.demo` },
          { kind: 'phone', value: '+49 30 0000000' },
        ],
      });
    }
  }
  return true;
}

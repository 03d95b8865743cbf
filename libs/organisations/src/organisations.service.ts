import { Injectable } from '@nestjs/common';
import { decodeCursor, HubException, type Page, parseTimeZone, toPage } from '#common';
import { type OrgPrincipal, PasswordHasher, type Principal, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import type { CreateOrganisationDto, DirectoryQueryDto, UpdateOrganisationDto } from './dto/organisation.dto.js';
import { OrganisationEntity } from './organisation.entity.js';
import { OrganisationException, uniqueViolation } from './organisation.exception.js';
import { UserEntity } from './user.entity.js';
import { organisationView, userView } from './views.js';

/** The directory every caller reads, and the operator's creation and disabling of organisations. */
@Injectable()
export class OrganisationsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly hasher: PasswordHasher,
  ) {}

  async directory(principal: Principal, query: DirectoryQueryDto): Promise<Page<ReturnType<typeof organisationView>>> {
    const after = decodeCursor(query.cursor);
    const operator = principal.kind === 'operator';
    const rows = await this.db.run(tenantContextOf(principal), async (tx) => {
      const qb = tx.repository(OrganisationEntity).createQueryBuilder('o').orderBy('o.name').addOrderBy('o.id').limit(query.limit + 1);
      if (!operator) qb.andWhere("o.status = 'active'");
      if (query.kind) qb.andWhere('o.kind = :kind', { kind: query.kind });
      if (after) qb.andWhere('(o.name, o.id) > (:afterName, :afterId)', { afterName: after.key, afterId: after.id });
      const found = await qb.getMany();
      return operator ? withTimeZones(tx, found) : found;
    });
    return toPage(rows, query.limit, (org) => org.name).map((org) => organisationView(org, operator));
  }

  async get(principal: Principal, id: string) {
    const operator = principal.kind === 'operator';
    const own = operator || principal.orgId === id;
    const org = await this.db.run(tenantContextOf(principal), async (tx) => {
      const found = await tx.repository(OrganisationEntity).findOneBy(operator ? { id } : { id, status: 'active' });
      return found && own ? (await withTimeZones(tx, [found]))[0] : found;
    });
    if (!org) throw HubException.notFound('organisation');
    return organisationView(org, own);
  }

  /**
   * An organisation's admin changes its own settings (today its time zone) through `hub_set_own_time_zone`: the
   * row is the operator's to write otherwise. Anyone else's organisation answers 404.
   */
  async update(principal: OrgPrincipal, id: string, dto: UpdateOrganisationDto) {
    const timeZone = parseTimeZone(dto.timeZone, 'timeZone');
    if (principal.orgId !== id) throw HubException.notFound('organisation');
    const org = await this.db.run(tenantContextOf(principal), async (tx) => {
      await tx.query('SELECT hub_set_own_time_zone($1)', [timeZone]);
      const found = await tx.repository(OrganisationEntity).findOneBy({ id });
      return found && (await withTimeZones(tx, [found]))[0];
    });
    if (!org) throw HubException.notFound('organisation');
    return organisationView(org, true);
  }

  /** The operator creates an organisation with its first admin, in one transaction. */
  async create(principal: Principal, dto: CreateOrganisationDto) {
    const timeZone = dto.timeZone === undefined ? 'UTC' : parseTimeZone(dto.timeZone, 'timeZone');
    const passwordHash = await this.hasher.hash(dto.admin.password);
    try {
      return await this.db.run(tenantContextOf(principal), async (tx) => {
        const org = await tx.repository(OrganisationEntity).save(
          tx.repository(OrganisationEntity).create({
            slug: dto.slug,
            name: dto.name,
            kind: dto.kind,
            sector: dto.sector ?? null,
            country: dto.country ?? null,
            timeZone,
            status: 'active',
          }),
        );
        await tx.provisionAs(org.id, org.kind);
        const admin = await tx.repository(UserEntity).save(
          tx.repository(UserEntity).create({
            orgId: org.id,
            email: dto.admin.email,
            displayName: dto.admin.displayName,
            passwordHash,
            roles: ['admin'],
            status: 'active',
          }),
        );
        return { organisation: organisationView(org, true), admin: userView(admin) };
      });
    } catch (error) {
      const index = uniqueViolation(error);
      if (index === 'organisations_slug_key') throw OrganisationException.slugTaken(dto.slug);
      if (index === 'users_email_key') throw OrganisationException.emailTaken('admin.email');
      throw error;
    }
  }

  /** Disabling takes effect at once: every request re-checks its organisation's status. */
  async setStatus(principal: Principal, id: string, status: 'active' | 'disabled') {
    const org = await this.db.run(tenantContextOf(principal), async (tx) => {
      const repo = tx.repository(OrganisationEntity);
      const found = await repo.findOneBy({ id });
      if (!found) return null;
      found.status = status;
      found.disabledAt = status === 'disabled' ? (found.disabledAt ?? new Date()) : null;
      return (await withTimeZones(tx, [await repo.save(found)]))[0];
    });
    if (!org) throw HubException.notFound('organisation');
    return organisationView(org, true);
  }
}

/**
 * The zones of organisations the caller may know them of (its own; any, for the operator), read through
 * `hub_org_time_zone`: hub_app may not select `organisations.time_zone` (a pseudonymous participant's zone would
 * narrow down who it is). Others' zones stay undefined.
 */
async function withTimeZones(tx: TenantTransaction, orgs: OrganisationEntity[]): Promise<OrganisationEntity[]> {
  if (orgs.length === 0) return orgs;
  const rows = await tx.query<{ id: string; zone: string | null }>('SELECT id, hub_org_time_zone(id) AS zone FROM unnest($1::uuid[]) AS id', [orgs.map((o) => o.id)]);
  const zones = new Map(rows.map((r) => [r.id, r.zone]));
  for (const org of orgs) org.timeZone = zones.get(org.id) ?? undefined;
  return orgs;
}

import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type Principal, tenantContextOf, type OrgPrincipal } from '#auth';
import { TenantDatabase } from '#database';
import type { PointOfContactDto, ReplacePointOfContactDto } from './dto/point-of-contact.dto.js';
import { OrganisationException } from './organisation.exception.js';
import { OrganisationEntity } from './organisation.entity.js';
import { PointOfContactEntity } from './point-of-contact.entity.js';
import { UserEntity } from './user.entity.js';
import { pointOfContactView } from './views.js';

/** The minimum ISO/IEC 27035-4 preparation asks of an organisation: two contacts, two channels each. */
export const MIN_POINTS_OF_CONTACT = 2;

/**
 * Each organisation names the people who receive coordination requests. The community (members and
 * the coordinator) reads them; who may read is decided by row-level security, not by this code alone.
 */
@Injectable()
export class PointsOfContactService {
  constructor(private readonly db: TenantDatabase) {}

  async listFor(principal: Principal, orgId: string) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const org = await tx.repository(OrganisationEntity).findOneBy({ id: orgId, status: 'active' });
      if (!org) throw HubException.notFound('organisation');
      // Partners see the directory, not the people behind it (the database policy says the same).
      const own = principal.kind !== 'operator' && principal.orgId === orgId;
      if (!own && principal.kind !== 'operator' && principal.orgKind === 'partner') throw HubException.notFound('organisation');
      const contacts = await tx.repository(PointOfContactEntity).find({ where: { orgId }, order: { name: 'ASC', id: 'ASC' }, take: 100 });
      return {
        items: contacts.map(pointOfContactView),
        meetsMinimum: contacts.filter((c) => c.channels.length >= 2).length >= MIN_POINTS_OF_CONTACT,
      };
    });
  }

  async create(principal: OrgPrincipal, dto: PointOfContactDto) {
    const poc = await this.db.run(tenantContextOf(principal), async (tx) => {
      await this.checkUser(tx.repository(UserEntity), dto.userId);
      const repo = tx.repository(PointOfContactEntity);
      return repo.save(repo.create({ orgId: principal.orgId, ...this.fields(dto) }));
    });
    return pointOfContactView(poc);
  }

  /** A whole replacement, guarded by the version the caller read, so a concurrent edit is not lost. */
  async replace(principal: OrgPrincipal, id: string, dto: ReplacePointOfContactDto) {
    const poc = await this.db.run(tenantContextOf(principal), async (tx) => {
      const repo = tx.repository(PointOfContactEntity);
      const found = await repo.createQueryBuilder('p').where('p.id = :id', { id }).setLock('pessimistic_write').getOne();
      if (!found) return null;
      if (found.version !== dto.version) throw OrganisationException.staleVersion('point of contact', found.version);
      await this.checkUser(tx.repository(UserEntity), dto.userId);
      return repo.save(Object.assign(found, this.fields(dto)));
    });
    if (!poc) throw HubException.notFound('point of contact');
    return pointOfContactView(poc);
  }

  async remove(principal: OrgPrincipal, id: string): Promise<void> {
    const result = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.repository(PointOfContactEntity).delete({ id, orgId: principal.orgId }),
    );
    if (!result.affected) throw HubException.notFound('point of contact');
  }

  private fields(dto: PointOfContactDto) {
    return {
      name: dto.name,
      roleTitle: dto.roleTitle ?? null,
      userId: dto.userId ?? null,
      channels: dto.channels.map((c) => ({ kind: c.kind, value: c.value })),
    };
  }

  private async checkUser(users: { findOneBy(where: { id: string }): Promise<UserEntity | null> }, userId?: string) {
    if (userId && !(await users.findOneBy({ id: userId }))) {
      throw HubException.invalid('userId', 'userOfOrganisation', 'userId must name a user of your organisation');
    }
  }
}

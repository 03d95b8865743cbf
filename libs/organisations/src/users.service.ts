import { Injectable } from '@nestjs/common';
import { decodeCursor, HubException, type Page, PageQueryDto, toPage } from '#common';
import { type OrgPrincipal, PasswordHasher, revokeUserSessions, type Role, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import type { UpdateUserDto } from './dto/user.dto.js';
import { checkRolesFitKind } from './invitations.service.js';
import { OrganisationException } from './organisation.exception.js';
import { UserEntity } from './user.entity.js';
import { userView } from './views.js';

/**
 * An organisation's admin manages its own users (who join by invitation, see `InvitationsService`). The routes
 * take no organisation id: the caller's organisation is the only one reachable, and row-level security
 * enforces it again underneath.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly hasher: PasswordHasher,
  ) {}

  async list(principal: OrgPrincipal, query: PageQueryDto): Promise<Page<ReturnType<typeof userView>>> {
    const after = decodeCursor(query.cursor);
    const rows = await this.db.run(tenantContextOf(principal), (tx) => {
      const qb = tx
        .repository(UserEntity)
        .createQueryBuilder('u')
        .addSelect('lower(u.email)', 'email_key')
        .orderBy('lower(u.email)')
        .addOrderBy('u.id')
        .limit(query.limit + 1);
      if (after) qb.where('(lower(u.email), u.id) > (:afterEmail, :afterId)', { afterEmail: after.key, afterId: after.id });
      return qb.getMany();
    });
    return toPage(rows, query.limit, (user) => user.email.toLowerCase()).map(userView);
  }

  async get(principal: OrgPrincipal, id: string) {
    const user = await this.db.run(tenantContextOf(principal), (tx) => tx.repository(UserEntity).findOneBy({ id }));
    if (!user) throw HubException.notFound('user');
    return userView(user);
  }

  async update(principal: OrgPrincipal, id: string, dto: UpdateUserDto) {
    if (dto.roles) this.checkRolesFitOrganisation(principal, dto.roles);
    if (principal.id === id && (dto.status === 'disabled' || (dto.roles && !dto.roles.includes('admin')))) {
      throw OrganisationException.selfLockout();
    }
    const passwordHash = dto.password ? await this.hasher.hash(dto.password) : undefined;
    const user = await this.db.run(tenantContextOf(principal), async (tx) => {
      const repo = tx.repository(UserEntity);
      // Admins are locked before the target row, in one order, so concurrent demotions neither deadlock
      // nor leave the organisation without an admin.
      const demotes = dto.status === 'disabled' || (dto.roles !== undefined && !dto.roles.includes('admin'));
      const admins = demotes ? await this.lockActiveAdmins(tx) : [];
      const found = await repo.createQueryBuilder('u').where('u.id = :id', { id }).setLock('pessimistic_write').getOne();
      if (!found) return null;
      if (found.version !== dto.version) throw OrganisationException.staleVersion('user', found.version);
      if (demotes && admins.includes(id) && !admins.some((admin) => admin !== id)) throw OrganisationException.lastAdmin();
      if (dto.displayName !== undefined) found.displayName = dto.displayName;
      if (dto.roles) found.roles = [...new Set(dto.roles)];
      if (passwordHash) found.passwordHash = passwordHash;
      if (dto.status && dto.status !== found.status) {
        found.status = dto.status;
        found.disabledAt = dto.status === 'disabled' ? new Date() : null;
      }
      const saved = await repo.save(found);
      // Disabling (or demoting an admin) revokes in the database, by trigger: sessions, API keys, invitations.
      if (passwordHash) await revokeUserSessions(tx, id, 'password changed');
      return saved;
    });
    if (!user) throw HubException.notFound('user');
    return userView(user);
  }

  private async lockActiveAdmins(tx: TenantTransaction): Promise<string[]> {
    const admins = await tx.query<{ id: string }>("SELECT id FROM users WHERE status = 'active' AND 'admin' = ANY (roles) ORDER BY id FOR UPDATE");
    return admins.map((admin) => admin.id);
  }

  private checkRolesFitOrganisation(principal: OrgPrincipal, roles: Role[]): void {
    checkRolesFitKind(principal.orgKind, roles);
  }
}

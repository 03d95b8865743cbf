import { Inject, Injectable } from '@nestjs/common';
import { decodeTimeCursor, DEMO_PASSWORD, HUB_CONFIG, type HubConfig, HubException, type Page, toPage } from '#common';
import {
  AuthException,
  formatSecretToken,
  hashSecret,
  mintSecret,
  type OrgPrincipal,
  parseSecretToken,
  PasswordHasher,
  type Role,
  secretMatches,
  tenantContextOf,
} from '#auth';
import { type OrgKind, organisationContext, TenantDatabase, type TenantTransaction } from '#database';
import type { InviteUserDto } from './dto/invitation.dto.js';
import { OrganisationException, uniqueViolation } from './organisation.exception.js';

export const INVITATION_PREFIX = 'hubi';
/** How long an invitation may wait for its invitee. */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InvitationView {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  status: InvitationStatus;
  createdAt: string;
  expiresAt: string;
}

export interface AcceptedInvitation {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  organisation: { id: string; slug: string; name: string };
}

/** The coordinator role exists only in a coordinator organisation. */
export function checkRolesFitKind(kind: OrgKind | null, roles: Role[]): void {
  if (roles.includes('coordinator') && kind !== 'coordinator') throw OrganisationException.coordinatorRoleOutsideCoordinator();
}

/**
 * Writes an invitation in the transaction's organisation and returns it with its token, which is never
 * stored (only its SHA-256) and so is shown once. Whether the email has an account anywhere is not looked
 * at: the answer is the same either way. The API and the operator's CLI both call this.
 */
export async function createInvitation(
  tx: TenantTransaction,
  invitation: { orgId: string; createdBy: string | null; email: string; displayName: string; roles: Role[] },
): Promise<InvitationView & { token: string }> {
  const secret = mintSecret();
  const [row] = await tx.query<RawInvitation>(
    `INSERT INTO invitations (org_id, email, display_name, roles, secret_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7)) RETURNING ${columns()}`,
    [invitation.orgId, invitation.email, invitation.displayName, [...new Set(invitation.roles)], hashSecret(secret), invitation.createdBy, INVITATION_TTL_SECONDS],
  );
  return { ...toView(row), token: formatSecretToken(INVITATION_PREFIX, { scope: invitation.orgId, id: row.id, secret }) };
}

/**
 * Users join an organisation by invitation only: the admin names an email, the invitee sets its password
 * with the single-use token. Nothing here tells the admin whether that email has an account elsewhere.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: TenantDatabase,
    private readonly hasher: PasswordHasher,
  ) {}

  async create(principal: OrgPrincipal, dto: InviteUserDto): Promise<InvitationView & { token: string }> {
    checkRolesFitKind(principal.orgKind, dto.roles);
    return this.db.run(tenantContextOf(principal), (tx) =>
      createInvitation(tx, {
        orgId: principal.orgId,
        createdBy: principal.kind === 'user' ? principal.id : null,
        email: dto.email,
        displayName: dto.displayName,
        roles: dto.roles,
      }),
    );
  }

  async list(principal: OrgPrincipal, cursor: string | undefined, limit: number): Promise<Page<InvitationView>> {
    const after = decodeTimeCursor(cursor);
    const rows = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query<RawInvitation>(
        `SELECT ${columns()} FROM invitations
          WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
          ORDER BY created_at, id LIMIT $3`,
        [after?.key ?? null, after?.id ?? null, limit + 1],
      ),
    );
    return toPage(rows, limit, (row) => row.sort_key).map(toView);
  }

  /** Withdraws a pending invitation; its token stops working at once. */
  async revoke(principal: OrgPrincipal, id: string): Promise<void> {
    const rows = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query(
        `UPDATE invitations SET revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'withdrawn')
          WHERE id = $1 AND accepted_at IS NULL RETURNING id`,
        [id],
      ),
    );
    if (rows.length === 0) throw HubException.notFound('pending invitation');
  }

  /**
   * The invitee sets its password and the user is created, in one transaction with the invitation locked,
   * so a token works once. Every failure, an email taken since, included, answers alike.
   */
  async accept(presented: string, password: string): Promise<AcceptedInvitation> {
    const parsed = parseSecretToken(INVITATION_PREFIX, presented);
    if (!parsed || parsed.scope === 'op') throw AuthException.invitationUnusable();
    // Login refuses it in production, so an invitee who chose it could never log in.
    if (this.config.mode === 'production' && password === DEMO_PASSWORD) {
      throw HubException.invalid('password', 'notDemoPassword', 'password must not be the published demo password in production mode');
    }
    let accepted: AcceptedInvitation | null;
    try {
      accepted = await this.db.run(organisationContext(parsed.scope), async (tx) => {
        const [invitation] = await tx.query<RawInvitation & { secret_hash: Buffer; slug: string; org_name: string }>(
          `SELECT ${columns('i.')}, i.secret_hash, o.slug, o.name AS org_name
             FROM invitations i JOIN organisations o ON o.id = i.org_id AND o.status = 'active'
            WHERE i.id = $1 AND i.org_id = $2 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
              -- As API keys do: an invitation lives only while the admin who made it does (the CLI's have none),
              -- even if the revocation its trigger runs was missed.
              AND (i.created_by IS NULL OR EXISTS (
                SELECT 1 FROM users u WHERE u.id = i.created_by AND u.status = 'active' AND 'admin' = ANY (u.roles)))
            FOR UPDATE OF i`,
          [parsed.id, parsed.scope],
        );
        if (!invitation || !secretMatches(parsed.secret, invitation.secret_hash)) return null;
        const passwordHash = await this.hasher.hash(password);
        const [user] = await tx.query<{ id: string }>(
          `INSERT INTO users (org_id, email, display_name, password_hash, roles, status)
           VALUES ($1, $2, $3, $4, $5, 'active') RETURNING id`,
          [parsed.scope, invitation.email, invitation.display_name, passwordHash, invitation.roles],
        );
        await tx.query('UPDATE invitations SET accepted_at = now(), user_id = $2 WHERE id = $1', [invitation.id, user.id]);
        return {
          id: user.id,
          email: invitation.email,
          displayName: invitation.display_name,
          roles: invitation.roles,
          organisation: { id: parsed.scope, slug: invitation.slug, name: invitation.org_name },
        };
      });
    } catch (error) {
      // The email has an account (in another organisation, or an operator's): refused like any other failure.
      if (uniqueViolation(error) === 'users_email_key') throw AuthException.invitationUnusable();
      throw error;
    }
    if (!accepted) throw AuthException.invitationUnusable();
    return accepted;
  }
}

const columns = (alias = '') =>
  ['id', 'email', 'display_name', 'roles', 'created_at', 'created_at::text AS sort_key', 'expires_at', 'accepted_at', 'revoked_at']
    .map((column) => alias + column)
    .join(', ');

interface RawInvitation {
  id: string;
  email: string;
  display_name: string;
  roles: Role[];
  created_at: Date;
  sort_key: string;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

function toView(row: RawInvitation): InvitationView {
  const status: InvitationStatus = row.accepted_at
    ? 'accepted'
    : row.revoked_at
      ? 'revoked'
      : row.expires_at.getTime() <= Date.now()
        ? 'expired'
        : 'pending';
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles,
    status,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

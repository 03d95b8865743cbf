import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DEMO_PASSWORD, HUB_CONFIG, type HubConfig } from '#common';
import { NO_TENANT, OPERATOR_CONTEXT, organisationContext, type TenantContext, TenantDatabase, type TenantTransaction } from '#database';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { PasswordHasher } from './password-hasher.js';
import { type Principal, tenantContextOf } from './principal.js';
import { LoginThrottle } from './login-throttle.js';
import { revokeSession } from './sessions.js';
import { formatSecretToken, hashSecret, mintSecret, parseSecretToken, secretMatches } from './secret-token.js';
import { TokenService } from './token.service.js';

export const REFRESH_TOKEN_PREFIX = 'hubr';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

interface LoginCandidate {
  principal: 'user' | 'operator';
  id: string;
  org_id: string | null;
  password_hash: string | null;
  active: boolean;
}

interface SessionOwner {
  typ: 'user' | 'operator';
  id: string;
  orgId: string | null;
}

function contextOfScope(scope: string): TenantContext {
  return scope === 'op' ? OPERATOR_CONTEXT : organisationContext(scope);
}

/**
 * Login, refresh and logout. A login opens a session; each refresh token is single-use and replaced on
 * use; presenting a used one again means it was copied, so the whole session is revoked.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly db: TenantDatabase,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly tokens: TokenService,
  ) {}

  async login(email: string, password: string, ip: string): Promise<TokenPair> {
    await this.throttle.recordAttempt(email, ip);
    const [candidate] = await this.db.run(NO_TENANT, (tx) =>
      tx.query<LoginCandidate>('SELECT * FROM hub_login_candidates($1) ORDER BY principal DESC LIMIT 1', [email]),
    );
    const matches = await this.hasher.verify(candidate?.password_hash ?? null, password);
    if (!candidate || !matches) {
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'email or password is wrong');
    }
    if (!candidate.active) {
      throw new AuthException(AuthErrorCode.AccountDisabled, 'this account or its organisation is disabled');
    }
    if (this.config.mode === 'production' && password === DEMO_PASSWORD) {
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'the demo password is refused in production mode; set a new password');
    }
    await this.throttle.succeeded(email, ip);
    const owner: SessionOwner = { typ: candidate.principal, id: candidate.id, orgId: candidate.org_id };
    const context = owner.orgId ? organisationContext(owner.orgId, owner.id) : OPERATOR_CONTEXT;
    const { sessionId, refreshToken } = await this.db.run(context, async (tx) => {
      const [session] = await tx.query<{ id: string }>(
        `INSERT INTO auth_sessions (org_id, user_id, operator_id, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id`,
        [owner.orgId, owner.typ === 'user' ? owner.id : null, owner.typ === 'operator' ? owner.id : null, this.config.refreshTokenTtlSeconds],
      );
      return { sessionId: session.id, refreshToken: await this.mintRefreshToken(tx, owner.orgId, session.id) };
    });
    return this.pair(owner, sessionId, refreshToken);
  }

  async refresh(presented: string): Promise<TokenPair> {
    const parsed = parseSecretToken(REFRESH_TOKEN_PREFIX, presented);
    if (!parsed) throw this.invalidRefresh();
    const outcome = await this.db.run(contextOfScope(parsed.scope), async (tx) => {
      const [row] = await tx.query<{
        secret_hash: Buffer;
        used_at: Date | null;
        expired: boolean;
        session_id: string;
        session_live: boolean;
        user_id: string | null;
        operator_id: string | null;
      }>(
        `SELECT r.secret_hash, r.used_at, r.expires_at <= now() AS expired, s.id AS session_id,
                (s.revoked_at IS NULL AND s.expires_at > now()) AS session_live, s.user_id, s.operator_id
           FROM refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id
          WHERE r.id = $1
          FOR UPDATE OF r`,
        [parsed.id],
      );
      if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { kind: 'invalid' as const };
      if (row.used_at) {
        await revokeSession(tx, row.session_id, 'refresh token reused');
        return { kind: 'reused' as const };
      }
      if (row.expired || !row.session_live) return { kind: 'invalid' as const };
      if (!(await this.ownerStillActive(tx, row))) return { kind: 'invalid' as const };
      await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [parsed.id]);
      const orgId = parsed.scope === 'op' ? null : parsed.scope;
      const owner: SessionOwner = row.user_id
        ? { typ: 'user', id: row.user_id, orgId }
        : { typ: 'operator', id: row.operator_id as string, orgId: null };
      return { kind: 'rotated' as const, owner, sessionId: row.session_id, refreshToken: await this.mintRefreshToken(tx, orgId, row.session_id) };
    });
    if (outcome.kind === 'reused') {
      throw new AuthException(
        AuthErrorCode.RefreshReused,
        'this refresh token was already used; the session is revoked and you must log in again',
      );
    }
    if (outcome.kind === 'invalid') throw this.invalidRefresh();
    return this.pair(outcome.owner, outcome.sessionId, outcome.refreshToken);
  }

  /** Ends the caller's session: its refresh tokens stop working and its access tokens are refused at once. */
  async logout(principal: Principal): Promise<void> {
    if (principal.kind === 'api_key') {
      throw new AuthException(AuthErrorCode.NotAllowed, 'an API key has no session to log out of; revoke the key instead', HttpStatus.BAD_REQUEST);
    }
    const context = tenantContextOf(principal);
    await this.db.run(context, (tx) => revokeSession(tx, principal.sessionId, 'logout'));
  }

  private async pair(owner: SessionOwner, sessionId: string, refreshToken: string): Promise<TokenPair> {
    const access = await this.tokens.issueAccessToken({ ...owner, sessionId });
    return { accessToken: access.token, refreshToken, tokenType: 'Bearer', expiresIn: this.config.accessTokenTtlSeconds };
  }

  private async mintRefreshToken(tx: TenantTransaction, orgId: string | null, sessionId: string): Promise<string> {
    const secret = mintSecret();
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO refresh_tokens (org_id, session_id, secret_hash, expires_at)
       SELECT $1, $2, $3, expires_at FROM auth_sessions WHERE id = $2 RETURNING id`,
      [orgId, sessionId, hashSecret(secret)],
    );
    return formatSecretToken(REFRESH_TOKEN_PREFIX, { scope: orgId ?? 'op', id: row.id, secret });
  }

  private async ownerStillActive(tx: TenantTransaction, session: { user_id: string | null; operator_id: string | null }): Promise<boolean> {
    const rows = session.user_id
      ? await tx.query(
          `SELECT 1 FROM users u JOIN organisations o ON o.id = u.org_id
            WHERE u.id = $1 AND u.status = 'active' AND o.status = 'active'`,
          [session.user_id],
        )
      : await tx.query('SELECT 1 FROM hub_operator($1) WHERE active', [session.operator_id]);
    return rows.length === 1;
  }

  private invalidRefresh(): AuthException {
    return new AuthException(AuthErrorCode.InvalidToken, 'the refresh token is not valid, expired or revoked');
  }
}

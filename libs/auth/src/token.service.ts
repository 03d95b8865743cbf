import { Inject, Injectable } from '@nestjs/common';
import { type CryptoKey, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { HUB_CONFIG, type HubConfig } from '#common';
import { deferCheck, type OrgKind, OPERATOR_CONTEXT, organisationContext, TenantDatabase } from '#database';
import { AuthException } from './auth.exception.js';
import type { Principal, Role } from './principal.js';
import { parseSecretToken, secretMatches } from './secret-token.js';
import { ACCESS_TOKEN_ALG, SigningKeys } from './signing-keys.service.js';

const ISSUER = 'coordination-hub';
const AUDIENCE = 'hub-api';
export const API_KEY_PREFIX = 'hubk';
/** How far ahead of this clock another hub process's clock may be when it issues a token. */
const CLOCK_SKEW_SECONDS = 30;
/** The user, active, in its active organisation, with its session open: under row-level security, as that user. */
const USER_PRINCIPAL = `SELECT u.email, u.roles, o.kind
   FROM users u
   JOIN organisations o ON o.id = u.org_id AND o.status = 'active'
   JOIN auth_sessions s ON s.id = $3 AND s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now()
  WHERE u.id = $2 AND u.org_id = $1 AND u.status = 'active'`;
/** Access tokens remembered as verified (see `verifyAccessToken`): a few hundred bytes each. */
const VERIFIED_TOKENS_MAX = 10_000;
/** Sessions whose principal was last confirmed (see `authenticateRequest`), at most. */
const CONFIRMED_SESSIONS_MAX = 10_000;

interface ConfirmedPrincipal {
  userId: string;
  orgId: string;
  email: string;
  roles: Role[];
  kind: OrgKind;
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);

interface AccessClaims extends JWTPayload {
  typ: 'user' | 'operator';
  org?: string;
  sid: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * The one place a credential becomes a principal, for HTTP and for sockets alike. A valid signature is
 * not enough: the user, its organisation and its session are checked on every call, so disabling
 * either or logging out takes effect at once.
 */
@Injectable()
export class TokenService {
  private readonly verified = new Map<string, { claims: AccessClaims; kid: string; key: CryptoKey }>();
  private readonly confirmed = new Map<string, ConfirmedPrincipal>();

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly keys: SigningKeys,
    private readonly db: TenantDatabase,
  ) {}

  async issueAccessToken(subject: { typ: 'user' | 'operator'; id: string; orgId: string | null; sessionId: string }): Promise<IssuedAccessToken> {
    const { kid, key } = this.keys.signingKey();
    const expiresAt = new Date(Date.now() + this.config.accessTokenTtlSeconds * 1000);
    const claims: AccessClaims = { typ: subject.typ, sid: subject.sessionId, ...(subject.orgId ? { org: subject.orgId } : {}) };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(subject.id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(key);
    return { token, expiresAt };
  }

  /** Accepts `Bearer <access token>`, `Bearer <api key>` or a bare credential (the socket handshake's). */
  async authenticate(credential: string | undefined): Promise<Principal & { expiresAt?: Date }> {
    if (!credential) throw AuthException.invalidToken();
    const value = credential.startsWith('Bearer ') ? credential.slice(7).trim() : credential.trim();
    if (value.startsWith(`${API_KEY_PREFIX}.`)) return this.fromApiKey(value);
    const claims = await this.verifyAccessToken(value);
    const principal = claims.typ === 'operator' ? await this.operatorOf(claims) : await this.userOf(claims);
    return { ...principal, expiresAt: new Date((claims.exp as number) * 1000) };
  }

  /**
   * `authenticate` for one HTTP request, one round trip cheaper. For a user whose session this process has
   * confirmed before, the principal is assumed as last confirmed (for the route's role rule), and the check
   * itself (user active, organisation active, session open, same email, roles and kind) is handed to the
   * request's first database message (`deferCheck`), which refuses with 401 before any of its rows are used;
   * a handler that reads nothing passes it after (`PendingCheckInterceptor`). Anything else: `authenticate`.
   */
  async authenticateRequest(credential: string | undefined, usable: (assumed: Principal) => boolean): Promise<Principal & { expiresAt?: Date }> {
    const value = credential?.startsWith('Bearer ') ? credential.slice(7).trim() : credential?.trim();
    if (!value || value.startsWith(`${API_KEY_PREFIX}.`)) return this.authenticate(credential);
    const claims = await this.verifyAccessToken(value);
    const assumed = claims.typ === 'user' ? this.confirmed.get(claims.sid) : undefined;
    if (!assumed || assumed.userId !== claims.sub || assumed.orgId !== claims.org) return this.authenticate(credential);
    const principal: Principal = {
      kind: 'user',
      id: assumed.userId,
      orgId: assumed.orgId,
      orgKind: assumed.kind,
      roles: assumed.roles,
      email: assumed.email,
      sessionId: claims.sid,
    };
    if (!usable(principal)) return this.authenticate(credential);
    const deferred = deferCheck({
      context: organisationContext(assumed.orgId, assumed.userId),
      sql: USER_PRINCIPAL,
      parameters: [assumed.orgId, assumed.userId, claims.sid],
      verify: (rows) => {
        const row = rows[0] as { email: string; roles: Role[]; kind: OrgKind } | undefined;
        if (row && row.email === assumed.email && row.kind === assumed.kind && sameRoles(row.roles, assumed.roles)) return;
        this.confirmed.delete(claims.sid);
        // Roles changed under a live session: refused either way, since the services decide with the
        // principal's roles; 403 where the route's rule refuses the new roles, else 401 (ask again).
        if (row && !usable({ ...principal, roles: row.roles, email: row.email, orgKind: row.kind })) throw AuthException.notAllowed('this action');
        throw AuthException.invalidToken();
      },
    });
    if (!deferred) return this.authenticate(credential);
    return { ...principal, expiresAt: new Date((claims.exp as number) * 1000) };
  }

  /**
   * The signature and claims check. An access token is used for many requests in its lifetime, and its
   * Ed25519 check was the largest single cost of a read, so a token that passed is remembered by its exact
   * text until it expires, and only while the key ring still hands out the key that verified it (a key deleted
   * from the ring stops verifying its tokens at once). The principal check runs on every request.
   */
  private async verifyAccessToken(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      if ((known.claims.exp as number) * 1000 > Date.now() && (await this.keys.verificationKey(known.kid)) === known.key) return known.claims;
      this.verified.delete(token);
    }
    try {
      let verifiedBy: { kid: string; key: CryptoKey } | undefined;
      const { payload } = await jwtVerify<AccessClaims>(
        token,
        async (header) => {
          const key = header.kid ? await this.keys.verificationKey(header.kid) : undefined;
          if (!key) throw new joseErrors.JWKSNoMatchingKey();
          verifiedBy = { kid: header.kid as string, key };
          return key;
        },
        { issuer: ISSUER, audience: AUDIENCE, algorithms: [ACCESS_TOKEN_ALG], typ: 'at+jwt' },
      );
      // The hub issues tokens for the configured lifetime only: a longer one, or one issued in the future, was
      // not issued here (a leaked signing key must not mint tokens that outlive the usual fifteen minutes).
      const { iat, exp } = payload as { iat?: number; exp?: number };
      if (iat === undefined || exp === undefined || exp - iat > this.config.accessTokenTtlSeconds || iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) {
        throw AuthException.invalidToken();
      }
      if (!isUuid(payload.sub) || !isUuid(payload.sid)) throw AuthException.invalidToken();
      if (payload.typ === 'user' && !isUuid(payload.org)) throw AuthException.invalidToken();
      if (payload.typ !== 'user' && payload.typ !== 'operator') throw AuthException.invalidToken();
      if (verifiedBy && typeof payload.exp === 'number') {
        // Bounded: the oldest entry goes first when full.
        if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value as string);
        this.verified.set(token, { claims: payload, ...verifiedBy });
      }
      return payload;
    } catch (error) {
      if (error instanceof AuthException) throw error;
      throw AuthException.invalidToken();
    }
  }

  private async userOf(claims: AccessClaims): Promise<Principal> {
    const orgId = claims.org as string;
    // hub_user_principal's check, as one read in the claimed user's own context: one message, no PL/pgSQL,
    // prepared once per connection, and the context ends with its implicit transaction.
    const [row] = await this.db.read<{ email: string; roles: Role[]; kind: OrgKind }>(organisationContext(orgId, claims.sub as string), USER_PRINCIPAL, [
      orgId,
      claims.sub,
      claims.sid,
    ]);
    if (!row) {
      this.confirmed.delete(claims.sid);
      throw AuthException.invalidToken();
    }
    if (this.confirmed.size >= CONFIRMED_SESSIONS_MAX) this.confirmed.delete(this.confirmed.keys().next().value as string);
    this.confirmed.set(claims.sid, { userId: claims.sub as string, orgId, email: row.email, roles: row.roles, kind: row.kind });
    return { kind: 'user', id: claims.sub as string, orgId, orgKind: row.kind, roles: row.roles, email: row.email, sessionId: claims.sid };
  }

  private async operatorOf(claims: AccessClaims): Promise<Principal> {
    const rows = await this.db.run(OPERATOR_CONTEXT, (tx) =>
      tx.query<{ email: string }>(
        `SELECT o.email FROM hub_operator($1) o
           JOIN auth_sessions s ON s.id = $2 AND s.operator_id = o.id AND s.revoked_at IS NULL AND s.expires_at > now()
          WHERE o.active`,
        [claims.sub, claims.sid],
      ),
    );
    const row = rows[0];
    if (!row) throw AuthException.invalidToken();
    return { kind: 'operator', id: claims.sub as string, email: row.email, sessionId: claims.sid };
  }

  private async fromApiKey(value: string): Promise<Principal> {
    const parsed = parseSecretToken(API_KEY_PREFIX, value);
    if (!parsed || parsed.scope === 'op') throw AuthException.invalidToken();
    const rows = await this.db.run(organisationContext(parsed.scope), (tx) =>
      tx.query<{ secret_hash: Buffer; roles: Role[]; kind: OrgKind }>(
        `SELECT k.secret_hash, k.roles, o.kind
           FROM api_keys k JOIN organisations o ON o.id = k.org_id AND o.status = 'active'
           -- A key is its creator's delegation: it works only while its creator is an active admin. Disabling or
           -- demoting the creator also revokes the key for good; this check holds if that revocation was missed.
           JOIN users u ON u.id = k.created_by AND u.status = 'active' AND 'admin' = ANY (u.roles)
          WHERE k.id = $1 AND k.org_id = $2 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
        [parsed.id, parsed.scope],
      ),
    );
    const row = rows[0];
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) throw AuthException.invalidToken();
    return { kind: 'api_key', id: parsed.id, orgId: parsed.scope, orgKind: row.kind, roles: row.roles };
  }
}

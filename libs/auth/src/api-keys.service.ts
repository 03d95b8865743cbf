import { Injectable } from '@nestjs/common';
import { HubException, toPage, decodeTimeCursor, type Page } from '#common';
import { TenantDatabase } from '#database';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { type Principal, tenantContextOf } from './principal.js';
import { formatSecretToken, hashSecret, mintSecret } from './secret-token.js';
import { API_KEY_PREFIX } from './token.service.js';

export interface ApiKeyView {
  id: string;
  name: string;
  roles: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** API keys for an organisation's machine clients (partners' feed pullers). The secret is shown once. */
@Injectable()
export class ApiKeysService {
  constructor(private readonly db: TenantDatabase) {}

  async create(principal: Principal, dto: CreateApiKeyDto): Promise<ApiKeyView & { key: string }> {
    if (principal.kind !== 'user') throw HubException.notFound('organisation');
    if (dto.expiresAt && !(new Date(dto.expiresAt).getTime() > Date.now())) {
      throw HubException.invalid('expiresAt', 'isFuture', 'expiresAt must be in the future');
    }
    const secret = mintSecret();
    const [row] = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query<RawKey>(
        `INSERT INTO api_keys (org_id, name, secret_hash, roles, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [principal.orgId, dto.name, hashSecret(secret), [...new Set(dto.roles)], principal.id, dto.expiresAt ?? null],
      ),
    );
    return { ...toView(row), key: formatSecretToken(API_KEY_PREFIX, { scope: principal.orgId, id: row.id, secret }) };
  }

  async list(principal: Principal, cursor: string | undefined, limit: number): Promise<Page<ApiKeyView>> {
    const after = decodeTimeCursor(cursor);
    const rows = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query<RawKey>(
        `SELECT ${COLUMNS} FROM api_keys
          WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
          ORDER BY created_at, id LIMIT $3`,
        [after?.key ?? null, after?.id ?? null, limit + 1],
      ),
    );
    return toPage(rows, limit, (row) => row.sort_key).map(toView);
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    const rows = await this.db.run(tenantContextOf(principal), (tx) =>
      tx.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id', [id]),
    );
    if (rows.length === 0) throw HubException.notFound('API key');
  }
}

const COLUMNS = 'id, name, roles, created_at, created_at::text AS sort_key, expires_at, revoked_at';

interface RawKey {
  id: string;
  name: string;
  roles: string[];
  created_at: Date;
  sort_key: string;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function toView(row: RawKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

import type { TenantTransaction } from '#database';
import type { TlpMarking } from './markings.js';
import { allowedPairs, RELEASE_RULES } from './release-rules.js';
import { SHAREABLE_TYPES } from './shareable-types.js';

export interface ReleaseRow {
  id: string;
  org_id: string;
  container_type: string;
  container_id: string;
  object_type: string;
  object_id: string;
  parent_release_id: string | null;
  recipient_kind: 'organisation' | 'user' | 'community' | 'public';
  recipient_org_id: string | null;
  recipient_user_id: string | null;
  fields: string[];
  redact: Record<string, 'blank' | 'pseudonymise'>;
  reason: string;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

export const RELEASE_COLUMNS = `id, org_id, container_type, container_id, object_type, object_id, parent_release_id, recipient_kind,
  recipient_org_id, recipient_user_id, fields, redact, reason, created_by, created_at, revoked_at, revoked_by, revoke_reason`;

/**
 * The owner, marking and sort key of objects of any registered type, by id: one index probe per type's table.
 * The owner's transaction sees its own rows only, so this never reads another organisation's marking.
 */
const OBJECTS_SQL = SHAREABLE_TYPES.map(
  (t) =>
    `SELECT '${t.type}'::text AS type, ${t.alias}.id, ${t.alias}.${t.ownerColumn} AS org_id, ${t.alias}.${t.markingColumn} AS marking,
            ${t.sortColumn ? `${t.alias}.${t.sortColumn}` : 'NULL::timestamptz'} AS sort_at
       FROM ${t.table} ${t.alias} WHERE ${t.alias}.id = ANY ($1::uuid[])`,
).join('\n     UNION ALL ');

/**
 * Brings the access rows of these objects in step with their live releases, in the caller's transaction:
 * one row per release, under the grantee key it names, and only where the object's marking allows that
 * kind of recipient (a second check behind the one at release time). Derived grants (`via`) are not touched
 * here: the hook recomputes those that rest on these objects (the coordinator's onward pass).
 */
export async function syncAccess(tx: TenantTransaction, objectIds: readonly string[]): Promise<void> {
  if (objectIds.length === 0) return;
  const pairs = allowedPairs();
  await tx.query('DELETE FROM access WHERE object_id = ANY ($1::uuid[]) AND release_id IS NOT NULL', [objectIds]);
  await tx.query(
    `WITH objects AS (${OBJECTS_SQL})
     INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, release_id, fields, redact, pseudonym_key, sort_at)
     SELECT r.org_id, r.object_type, r.object_id, r.container_type, r.container_id,
            CASE r.recipient_kind WHEN 'organisation' THEN 'org:' || r.recipient_org_id
                                  WHEN 'user' THEN 'user:' || r.recipient_user_id ELSE r.recipient_kind END,
            r.id, r.fields, r.redact, r.pseudonym_key, o.sort_at
       FROM releases r
       JOIN objects o ON o.type = r.object_type AND o.id = r.object_id AND o.org_id = r.org_id
      WHERE r.object_id = ANY ($1::uuid[]) AND r.revoked_at IS NULL
        AND (o.marking, r.recipient_kind) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [objectIds, pairs.markings, pairs.kinds],
  );
  await tx.query('SELECT hub_after_grants_changed($1::uuid[])', [objectIds]);
}

/**
 * Tightening: ends every live release of the object that its new marking no longer allows (and the releases
 * riding on them), and brings access in step at once.
 */
export function withdrawDisallowed(tx: TenantTransaction, objectId: string, marking: TlpMarking, actorId: string | null, reason: string): Promise<ReleaseRow[]> {
  return endReleases(tx, 'object_id = $1 AND NOT (recipient_kind = ANY ($2::text[]))', [objectId, [...RELEASE_RULES[marking].allows]], actorId, reason);
}

/** Revokes releases by id (and those riding on them); returns what it ended. */
export function revokeReleases(tx: TenantTransaction, releaseIds: readonly string[], actorId: string | null, reason: string): Promise<ReleaseRow[]> {
  return endReleases(tx, 'id = ANY ($1::uuid[])', [releaseIds], actorId, reason);
}

/** Ends the live releases the condition picks, then those riding on them, then syncs every object touched. */
async function endReleases(tx: TenantTransaction, condition: string, params: unknown[], actorId: string | null, reason: string): Promise<ReleaseRow[]> {
  const end = (where: string, values: unknown[]) =>
    tx.query<ReleaseRow>(
      `UPDATE releases SET revoked_at = now(), revoked_by = $${values.length + 1}, revoke_reason = $${values.length + 2}
        WHERE ${where} AND revoked_at IS NULL RETURNING ${RELEASE_COLUMNS}`,
      [...values, actorId, reason],
    );
  const ended = await end(condition, params);
  const riding = ended.length === 0 ? [] : await end('parent_release_id = ANY ($1::uuid[])', [ended.map((r) => r.id)]);
  const all = [...ended, ...riding];
  await syncAccess(tx, [...new Set(all.map((r) => r.object_id))]);
  return all;
}

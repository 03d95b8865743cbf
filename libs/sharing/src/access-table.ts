import type { TenantTransaction } from '#database';
import type { TlpMarking } from './markings.js';
import { allowedPairs, RELEASE_RULES } from './release-rules.js';

export interface ReleaseRow {
  id: string;
  org_id: string;
  incident_id: string;
  object_type: 'incident' | 'observable';
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

export const RELEASE_COLUMNS = `id, org_id, incident_id, object_type, object_id, parent_release_id, recipient_kind, recipient_org_id,
  recipient_user_id, fields, redact, reason, created_by, created_at, revoked_at, revoked_by, revoke_reason`;

/**
 * Brings the access rows of these objects in step with their live releases, in the caller's transaction:
 * one row per release, under the grantee key it names, and only where the object's marking allows that
 * kind of recipient (a second check behind the one at release time). Onward grants (`via`) are not touched.
 */
export async function syncAccess(tx: TenantTransaction, objectIds: readonly string[]): Promise<void> {
  if (objectIds.length === 0) return;
  const pairs = allowedPairs();
  await tx.query('DELETE FROM access WHERE object_id = ANY ($1::uuid[]) AND release_id IS NOT NULL', [objectIds]);
  await tx.query(
    `INSERT INTO access (owner_org_id, object_type, object_id, incident_id, grantee, release_id, fields, redact, pseudonym_key, sort_at)
     SELECT r.org_id, r.object_type, r.object_id, r.incident_id,
            CASE r.recipient_kind WHEN 'organisation' THEN 'org:' || r.recipient_org_id
                                  WHEN 'user' THEN 'user:' || r.recipient_user_id ELSE r.recipient_kind END,
            r.id, r.fields, r.redact, r.pseudonym_key, i.updated_at
       FROM releases r
       LEFT JOIN incidents i ON r.object_type = 'incident' AND i.id = r.object_id AND i.org_id = r.org_id
       LEFT JOIN observables o ON r.object_type = 'observable' AND o.id = r.object_id AND o.org_id = r.org_id
      WHERE r.object_id = ANY ($1::uuid[]) AND r.revoked_at IS NULL
        AND (coalesce(i.marking, o.marking), r.recipient_kind) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [objectIds, pairs.markings, pairs.kinds],
  );
}

/**
 * Tightening: ends every live release of the object that its new marking no longer allows (and, for an
 * incident, the observable releases riding on them), and brings access in step at once.
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

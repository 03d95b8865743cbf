import { decodeTimeCursor } from '#common';
import type { OrgPrincipal } from '#auth';
import { allows, type HubAbility, type PolicySubject, readableFields } from './policy.js';
import { SqlParams } from './policy-sql.js';
import { keysOf } from './principal-policy.js';
import { type Grant, projectShared, type Redaction } from './projection.js';
import { type ShareableType, type SharedSubject } from './shareable-types.js';

/**
 * The building blocks of every shared read, for any registered type: the caller's grants beside each row, the
 * candidates of a shared list from the access table's feed index, and the projection by allow-list. Feature
 * libraries keep their own filters and views of a row; who may read which row and field is decided here.
 */

/** One of the caller's live grants on a row, as `grantsColumn` returns it (never the pseudonym key). */
export interface GrantJson {
  grantee: string;
  releaseId: string | null;
  fields: string[];
  redact: Record<string, Redaction>;
}

/**
 * The caller's live grants on each row of the type's alias, beside it, so the projection needs no second round
 * trip. Never the pseudonym key: the database redacts in the shared view and does not let hub_app read that column.
 */
export function grantsColumn(type: ShareableType, keysParam: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('grantee', a.grantee, 'releaseId', a.release_id, 'fields', a.fields,
            'redact', a.redact) ORDER BY a.id), '[]'::json)
           FROM access a WHERE a.object_id = ${type.alias}.id AND a.object_type = '${type.type}' AND a.grantee = ANY (${keysParam})) AS grants`;
}

export function toGrants(rows: GrantJson[]): Grant[] {
  return rows.map((g) => ({ releaseId: g.releaseId, fields: g.fields, redact: g.redact }));
}

/**
 * What the caller receives of one shared row: the fields the policy lets it read, as the database released them.
 * Null when the in-memory check of the same ability disagrees with the SQL that found the row (fail closed).
 */
export function projectSharedRow(
  ability: HubAbility,
  type: ShareableType,
  row: { org_id: string; grants: GrantJson[]; redactions?: Record<string, Redaction> },
  view: Readonly<Record<string, unknown>>,
): Record<string, unknown> | null {
  const attributes = { orgId: row.org_id, grantees: row.grants.map((g) => g.grantee) };
  if (!allows(ability, 'read', type.sharedSubject as PolicySubject, attributes)) return null;
  const readable = readableFields(ability, type.sharedSubject as SharedSubject, attributes);
  return projectShared(type, view, readable, toGrants(row.grants), row.redactions ?? {});
}

export interface Candidate {
  key: string;
  object_id: string;
  sort_key: string;
  rank: string;
}

/**
 * Step one of a shared list: up to `cap` of the newest grants of each key the caller holds on objects of this
 * type, past the cursor, from `access_feed_idx`. Bounded by the page, not by how much was ever shared with the caller.
 */
export function sharedCandidatesSql(principal: OrgPrincipal, type: ShareableType, query: { cursor?: string; organisation?: string }, cap: number) {
  const params = new SqlParams();
  const after = decodeTimeCursor(query.cursor);
  const org = params.add(principal.orgId, 'uuid');
  const owner = query.organisation ? params.add(query.organisation, 'uuid') : null;
  const position = after ? [params.add(after.key, 'timestamptz'), params.add(after.id, 'uuid')] : null;
  const limit = params.add(cap, 'int');
  // One branch per key, each key its own parameter, so the planner sees which key it reads (a key held by
  // the coordinator may have 100k rows, a user's a handful) and walks access_feed_idx in order.
  const branches = keysOf(principal).map((key) => {
    const where = [`a.grantee = ${params.add(key, 'text')}`, `a.object_type = '${type.type}'`, `a.owner_org_id <> ${org}`];
    if (owner) where.push(`a.owner_org_id = ${owner}`);
    if (position) where.push(`(a.sort_at, a.object_id) < (${position[0]}, ${position[1]})`);
    return `(SELECT a.grantee AS key, a.object_id, a.sort_at::text AS sort_key,
               to_char(a.sort_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS') AS rank
          FROM access a WHERE ${where.join(' AND ')} ORDER BY a.sort_at DESC, a.object_id DESC LIMIT ${limit})`;
  });
  return { sql: branches.join(' UNION ALL '), values: params.values };
}

/**
 * Where the candidates stop being complete: a key that filled its cap may have older grants left out, so
 * only rows at or above the highest such cut are certain. Null when no key filled its cap.
 */
export function completeDownTo(candidates: Candidate[], cap: number): { key: string; id: string } | null {
  const tails = new Map<string, Candidate>();
  const counts = new Map<string, number>();
  for (const c of candidates) {
    counts.set(c.key, (counts.get(c.key) ?? 0) + 1);
    const tail = tails.get(c.key);
    if (!tail || c.rank < tail.rank || (c.rank === tail.rank && c.object_id < tail.object_id)) tails.set(c.key, c);
  }
  let floor: Candidate | null = null;
  for (const [key, tail] of tails) {
    if ((counts.get(key) ?? 0) < cap) continue;
    if (!floor || tail.rank > floor.rank || (tail.rank === floor.rank && tail.object_id > floor.object_id)) floor = tail;
  }
  return floor ? { key: floor.sort_key, id: floor.object_id } : null;
}

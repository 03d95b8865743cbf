import { Injectable } from '@nestjs/common';
import { decodeTimeCursor, HubException, type Page, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf } from '#auth';
import { TenantDatabase } from '#database';
import { allows, compilePolicy, type Grant, type HubAbility, projectShared, readableFields, type Redaction, SqlParams } from '#sharing';
import { abilityOf, keysOf } from './ability-of.js';
import type { SharedQueryDto } from './dto/release.dto.js';
import { INCIDENT_COLUMNS_OF, type IncidentRow, ownerIncidentView } from './incident.view.js';
import { observableView, type ObservableRow } from './observables.service.js';
import { registerConditions, registerOrder } from './register-query.js';

interface GrantJson {
  grantee: string;
  releaseId: string | null;
  fields: string[];
  redact: Record<string, Redaction>;
}

/** The fields of a shared list item: what the register lists, and whose incident it is. */
const LIST_FIELDS = ['id', 'orgId', 'title', 'category', 'subType', 'severity', 'phase', 'marking', 'awareAt', 'version', 'createdAt', 'updatedAt'];

/**
 * The caller's live grants on each row, beside it, so the projection needs no second round trip. Never the
 * pseudonym key: the database redacts in `shared_incidents` and does not let hub_app read that column.
 */
function grantsColumn(alias: string, objectType: 'incident' | 'observable', keysParam: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('grantee', a.grantee, 'releaseId', a.release_id, 'fields', a.fields,
            'redact', a.redact) ORDER BY a.id), '[]'::json)
           FROM access a WHERE a.object_id = ${alias}.id AND a.object_type = '${objectType}' AND a.grantee = ANY (${keysParam})) AS grants`;
}

function toGrants(rows: GrantJson[]): Grant[] {
  return rows.map((g) => ({ releaseId: g.releaseId, fields: g.fields, redact: g.redact }));
}

/**
 * What other organisations released to the caller's organisation or to the caller: the coordinator's inbox,
 * a member's shared view. Rows come from `shared_incidents` / `shared_observables` (the database's field guard:
 * each field as the caller's grants release it, redactions applied) through the policy compiled to SQL; each
 * is checked against the same ability in memory and projected by allow-list.
 */
@Injectable()
export class SharedIncidentsService {
  constructor(private readonly db: TenantDatabase) {}

  async list(principal: OrgPrincipal, query: SharedQueryDto): Promise<Page<Record<string, unknown>>> {
    const ability = abilityOf(principal);
    const rows = await this.db.run(sharedReadContextOf(principal), async (tx) => {
      // Newest grants per key first, widening while filters thin the page out; the plain query is the last resort.
      for (let cap = query.limit + 1; cap <= MAX_CANDIDATES; cap *= 8) {
        const step = sharedCandidatesSql(principal, query, cap);
        const candidates = await tx.query<Candidate>(step.sql, step.values);
        const floor = completeDownTo(candidates, cap);
        const page = sharedPageSql(ability, principal, query, { ids: [...new Set(candidates.map((c) => c.object_id))], floor });
        const found = await tx.query<SharedRow>(page.sql, page.values);
        if (!floor || found.length > query.limit) return found;
      }
      const page = sharedPageSql(ability, principal, query, null);
      return tx.query<SharedRow>(page.sql, page.values);
    });
    return toPage(rows, query.limit, (row) => row.sort_key).map((row) => {
      const view = ownerIncidentView(row);
      const listed = Object.fromEntries(LIST_FIELDS.map((field) => [field, view[field as keyof typeof view]]));
      return projectSharedIncident(ability, row, listed);
    });
  }

  /** One shared incident with the observables released to the caller beside it; anything else is a 404. */
  async get(principal: OrgPrincipal, id: string) {
    const ability = abilityOf(principal);
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const params = new SqlParams();
      const where = compilePolicy(ability, 'read', 'SharedIncident', params);
      const grants = grantsColumn('i', 'incident', params.add(keysOf(principal), 'text[]'));
      const [row] = await tx.query<SharedRow>(
        `SELECT ${INCIDENT_COLUMNS_OF('i')}, i.redactions, ${grants} FROM shared_incidents i WHERE i.id = ${params.add(id, 'uuid')} AND ${where}`,
        params.values,
      );
      if (!row || !allows(ability, 'read', 'SharedIncident', { orgId: row.org_id, grantees: row.grants.map((g) => g.grantee) })) {
        throw HubException.notFound('incident');
      }
      const oParams = new SqlParams();
      const oWhere = compilePolicy(ability, 'read', 'SharedObservable', oParams);
      const oGrants = grantsColumn('o', 'observable', oParams.add(keysOf(principal), 'text[]'));
      const observables = await tx.query<ObservableRow & { org_id: string; grants: GrantJson[] }>(
        `SELECT o.*, ${oGrants} FROM shared_observables o WHERE o.incident_id = ${oParams.add(id, 'uuid')} AND ${oWhere}
          ORDER BY o.created_at, o.id LIMIT 1000`,
        oParams.values,
      );
      return {
        ...projectSharedIncident(ability, row, ownerIncidentView(row)),
        observables: observables.flatMap((o) => {
          const attributes = { orgId: o.org_id, grantees: o.grants.map((g) => g.grantee) };
          if (!allows(ability, 'read', 'SharedObservable', attributes)) return [];
          return [projectShared(observableView(o), readableFields(ability, 'SharedObservable', attributes), toGrants(o.grants))];
        }),
      };
    });
  }
}

const MAX_CANDIDATES = 5000;

type SharedRow = IncidentRow & { grants: GrantJson[]; redactions: Record<string, Redaction> };
interface Candidate {
  key: string;
  object_id: string;
  sort_key: string;
  rank: string;
}

/**
 * Step one of a shared list: up to `cap` of the newest grants of each key the caller holds, past the cursor,
 * from `access_feed_idx`. Bounded by the page, not by how much was ever shared with the caller.
 */
export function sharedCandidatesSql(principal: OrgPrincipal, query: SharedQueryDto, cap: number) {
  const params = new SqlParams();
  const after = decodeTimeCursor(query.cursor);
  const org = params.add(principal.orgId, 'uuid');
  const owner = query.organisation ? params.add(query.organisation, 'uuid') : null;
  const position = after ? [params.add(after.key, 'timestamptz'), params.add(after.id, 'uuid')] : null;
  const limit = params.add(cap, 'int');
  // One branch per key, each key its own parameter, so the planner sees which key it reads (a key held by
  // the coordinator may have 100k rows, a user's a handful) and walks access_feed_idx in order.
  const branches = keysOf(principal).map((key) => {
    const where = [`a.grantee = ${params.add(key, 'text')}`, `a.object_type = 'incident'`, `a.owner_org_id <> ${org}`];
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

/** Step two: the page through the compiled policy and the register's filters, among the candidates if given. */
export function sharedPageSql(
  ability: HubAbility,
  principal: OrgPrincipal,
  query: SharedQueryDto,
  among: { ids: string[]; floor: { key: string; id: string } | null } | null,
) {
  const params = new SqlParams();
  const where = [compilePolicy(ability, 'read', 'SharedIncident', params), ...registerConditions(query, params)];
  if (among) where.push(`i.id = ANY (${params.add(among.ids, 'uuid[]')})`);
  if (among?.floor) where.push(`(i.updated_at, i.id) >= (${params.add(among.floor.key, 'timestamptz')}, ${params.add(among.floor.id, 'uuid')})`);
  if (query.organisation) where.push(`i.org_id = ${params.add(query.organisation, 'uuid')}`);
  const keys = params.add(keysOf(principal), 'text[]');
  if (query.q) {
    // The text search reads the real title and summary: it may match only where a grant of the caller's
    // sends both as they are, or a redacted word could be found by guessing.
    where.push(`EXISTS (SELECT 1 FROM access a WHERE a.object_id = i.id AND a.object_type = 'incident' AND a.grantee = ANY (${keys})
                  AND NOT (a.redact ?| array['title', 'summary']))`);
  }
  const sql = `SELECT ${INCIDENT_COLUMNS_OF('i')}, i.redactions, ${grantsColumn('i', 'incident', keys)} FROM shared_incidents i WHERE ${where.join(' AND ')} ${registerOrder(query, params)}`;
  return { sql, values: params.values };
}


function projectSharedIncident(ability: HubAbility, row: SharedRow, view: Record<string, unknown>) {
  const attributes = { orgId: row.org_id, grantees: row.grants.map((g) => g.grantee) };
  return projectShared(view, readableFields(ability, 'SharedIncident', attributes), toGrants(row.grants), row.redactions);
}

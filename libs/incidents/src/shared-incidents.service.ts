import { Injectable } from '@nestjs/common';
import { HubException, type Page, toPage } from '#common';
import { type OrgPrincipal, sharedReadContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import {
  abilityOf,
  type Candidate,
  compilePolicy,
  completeDownTo,
  type GrantJson,
  grantsColumn,
  type HubAbility,
  keysOf,
  projectSharedRow,
  type Redaction,
  shareableType,
  sharedCandidatesSql,
  SqlParams,
} from '#sharing';
import type { SharedQueryDto } from './dto/release.dto.js';
import { INCIDENT_COLUMNS_OF, type IncidentRow, ownerIncidentView } from './incident.view.js';
import { observableView, type ObservableRow } from './observables.service.js';
import { registerConditions, registerOrder } from './register-query.js';

/** The fields of a shared list item: what the register lists, and whose incident it is. */
const LIST_FIELDS = ['id', 'orgId', 'title', 'category', 'subType', 'severity', 'phase', 'marking', 'exercise', 'awareAt', 'version', 'createdAt', 'updatedAt'];

const INCIDENT = shareableType('incident');
const OBSERVABLE = shareableType('observable');

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
        const step = sharedCandidatesSql(principal, INCIDENT, query, cap);
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
    const found = await this.db.run(sharedReadContextOf(principal), (tx) => readSharedIncidents(tx, principal, [id]));
    const incident = found.get(id);
    if (!incident) throw HubException.notFound('incident');
    return incident;
  }
}

/**
 * Incidents as the caller reads them through the sharing policy (the shared views, the compiled policy, the
 * in-memory check, the allow-list projection), each with the observables that reach the caller beside it:
 * what `GET /shared/incidents/{id}` answers, for a set of ids. Ids the caller may not read are absent. Needs a
 * shared-read transaction; the joint workspace reads incidents passed on to a participant through it.
 */
export async function readSharedIncidents(tx: TenantTransaction, principal: OrgPrincipal, ids: readonly string[]) {
  const out = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return out;
  const ability = abilityOf(principal);
  const params = new SqlParams();
  const where = compilePolicy(ability, 'read', 'SharedIncident', params);
  const grants = grantsColumn(INCIDENT, params.add(keysOf(principal), 'text[]'));
  const rows = await tx.query<SharedRow>(
    `SELECT ${INCIDENT_COLUMNS_OF('i')}, i.redactions, ${grants} FROM shared_incidents i WHERE i.id = ANY (${params.add(ids, 'uuid[]')}) AND ${where}`,
    params.values,
  );
  const oParams = new SqlParams();
  const oWhere = compilePolicy(ability, 'read', 'SharedObservable', oParams);
  const oGrants = grantsColumn(OBSERVABLE, oParams.add(keysOf(principal), 'text[]'));
  const observables = await tx.query<ObservableRow & { org_id: string; grants: GrantJson[] }>(
    `SELECT o.*, ${oGrants} FROM shared_observables o WHERE o.incident_id = ANY (${oParams.add(ids, 'uuid[]')}) AND ${oWhere}
      ORDER BY o.created_at, o.id LIMIT ${oParams.add(1000 * ids.length, 'int')}`,
    oParams.values,
  );
  for (const row of rows) {
    const projected = projectSharedRow(ability, INCIDENT, row, ownerIncidentView(row));
    if (!projected) continue;
    const seen = observables.filter((o) => o.incident_id === row.id).flatMap((o) => projectSharedRow(ability, OBSERVABLE, o, observableView(o)) ?? []);
    out.set(row.id, { ...projected, observables: seen });
  }
  return out;
}

const MAX_CANDIDATES = 5000;

type SharedRow = IncidentRow & { grants: GrantJson[]; redactions: Record<string, Redaction> };

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
  const sql = `SELECT ${INCIDENT_COLUMNS_OF('i')}, i.redactions, ${grantsColumn(INCIDENT, keys)} FROM shared_incidents i WHERE ${where.join(' AND ')} ${registerOrder(query, params)}`;
  return { sql, values: params.values };
}


/** Listed rows were found by the compiled policy; the in-memory check of the same ability must agree. */
function projectSharedIncident(ability: HubAbility, row: SharedRow, view: Record<string, unknown>) {
  const projected = projectSharedRow(ability, INCIDENT, row, view);
  if (!projected) throw new Error(`shared incident ${row.id} passed the compiled policy but not the ability`);
  return projected;
}

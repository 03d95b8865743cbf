import type { OrgPrincipal } from '#auth';
import type { TenantTransaction } from '#database';
import { abilityOf, compilePolicy, type GrantJson, grantsColumn, keysOf, projectSharedRow, type Redaction, shareableType, SqlParams } from '#sharing';

const INCIDENT = shareableType('incident');
const OBSERVABLE = shareableType('observable');

interface SharedIncidentRow {
  id: string;
  org_id: string;
  title: string;
  summary: string;
  category: string;
  sub_type: string;
  severity: number;
  phase: string;
  impact: string;
  marking: string;
  aware_at: Date | null;
  detected_at: Date | null;
  reported_at: Date | null;
  contained_at: Date | null;
  closed_at: Date | null;
  internal_notes: string | null;
  reporter: unknown;
  affected_assets: string | null;
  report: unknown;
  version: number;
  created_at: Date;
  updated_at: Date;
  redactions: Record<string, Redaction>;
  grants: GrantJson[];
}

interface SharedObservableRow {
  id: string;
  org_id: string;
  incident_id: string;
  type: string;
  value: string;
  first_seen: Date | null;
  last_seen: Date | null;
  marking: string;
  pap: string;
  version: number;
  created_at: Date;
  grants: GrantJson[];
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Incidents as the caller reads them through the sharing policy (the shared views, the compiled policy, the
 * in-memory check and the allow-list projection), with the observables that reach it beside each: what
 * `GET /api/v1/shared/incidents/{id}` gives, for a set of incident ids. Needs a shared-read transaction.
 */
export async function readSharedIncidents(tx: TenantTransaction, principal: OrgPrincipal, ids: readonly string[]) {
  const out = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return out;
  const ability = abilityOf(principal);
  const params = new SqlParams();
  const where = compilePolicy(ability, 'read', 'SharedIncident', params);
  const rows = await tx.query<SharedIncidentRow>(
    `SELECT i.*, ${grantsColumn(INCIDENT, params.add(keysOf(principal), 'text[]'))} FROM shared_incidents i
      WHERE i.id = ANY (${params.add(ids, 'uuid[]')}) AND ${where}`,
    params.values,
  );
  const oParams = new SqlParams();
  const oWhere = compilePolicy(ability, 'read', 'SharedObservable', oParams);
  const observables = await tx.query<SharedObservableRow>(
    `SELECT o.*, ${grantsColumn(OBSERVABLE, oParams.add(keysOf(principal), 'text[]'))} FROM shared_observables o
      WHERE o.incident_id = ANY (${oParams.add(ids, 'uuid[]')}) AND ${oWhere} ORDER BY o.created_at, o.id LIMIT 1000`,
    oParams.values,
  );
  for (const row of rows) {
    const projected = projectSharedRow(ability, INCIDENT, row, incidentView(row));
    if (!projected) continue;
    const seen = observables
      .filter((o) => o.incident_id === row.id)
      .flatMap((o) => projectSharedRow(ability, OBSERVABLE, o, observableView(o)) ?? []);
    out.set(row.id, { ...projected, observables: seen });
  }
  return out;
}

function incidentView(row: SharedIncidentRow): Record<string, unknown> {
  return {
    id: row.id,
    orgId: row.org_id,
    title: row.title,
    summary: row.summary,
    category: row.category,
    subType: row.sub_type,
    severity: row.severity,
    phase: row.phase,
    impact: row.impact,
    marking: row.marking,
    awareAt: iso(row.aware_at),
    detectedAt: iso(row.detected_at),
    reportedAt: iso(row.reported_at),
    containedAt: iso(row.contained_at),
    closedAt: iso(row.closed_at),
    internalNotes: row.internal_notes,
    reporter: row.reporter,
    affectedAssets: row.affected_assets,
    report: row.report,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function observableView(row: SharedObservableRow): Record<string, unknown> {
  return {
    id: row.id,
    incidentId: row.incident_id,
    type: row.type,
    value: row.value,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    marking: row.marking,
    pap: row.pap,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}

import type { Phase } from './incident.fields.js';
import type { TlpMarking } from './markings.js';

export interface IncidentRow {
  id: string;
  org_id: string;
  title: string;
  summary: string;
  category: string;
  sub_type: string;
  severity: number;
  phase: Phase;
  impact: string;
  marking: TlpMarking;
  aware_at: Date | null;
  detected_at: Date | null;
  reported_at: Date | null;
  contained_at: Date | null;
  closed_at: Date | null;
  internal_notes: string;
  reporter: { name: string; contact?: string } | null;
  affected_assets: string;
  report: Record<string, string> | null;
  clock_profiles: string[];
  exercise: boolean;
  source_event_report_id: string | null;
  log_length: number;
  log_head_hash: string | null;
  version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

const COLUMNS = `id, org_id, title, summary, category, sub_type, severity, phase, impact, marking, aware_at,
  detected_at, reported_at, contained_at, closed_at, internal_notes, reporter, affected_assets, report, clock_profiles,
  exercise, source_event_report_id, log_length, log_head_hash, version, created_by, created_at, updated_at`;

/** The incident columns read under a table alias, with the cursor's sort key as text. */
export function INCIDENT_COLUMNS_OF(alias: string): string {
  return `${COLUMNS.split(',').map((c) => `${alias}.${c.trim()}`).join(', ')}, ${alias}.updated_at::text AS sort_key`;
}

export const INCIDENT_COLUMNS = `${COLUMNS}, updated_at::text AS sort_key`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The owner organisation's view: every field, the internal-only ones included. */
export function ownerIncidentView(row: IncidentRow) {
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
    clockProfiles: row.clock_profiles,
    exercise: row.exercise,
    sourceEventReportId: row.source_event_report_id,
    logLength: row.log_length,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** What the register lists: enough to triage the list, none of the internal-only fields. */
export function registerItemView(row: IncidentRow) {
  return {
    id: row.id,
    title: row.title,
    category: row.category,
    subType: row.sub_type,
    severity: row.severity,
    phase: row.phase,
    marking: row.marking,
    exercise: row.exercise,
    awareAt: iso(row.aware_at),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import { improvementActionFigures, sharedImprovementActionFigures } from '#improvement-actions';
import { clockProfile, clockStates, PHASES } from '#incidents';
import type { FiguresQueryDto } from './dto/figures-query.dto.js';

/** The longest window a review may ask for: five calendar years. */
const MAX_WINDOW_YEARS = 5;

/** The regime whose milestones the review counts (NIS2, EU 2022/2555 art. 23), as libs/incidents defines it. */
const NIS2 = 'nis2';

const SEVERITIES = ['1', '2', '3', '4'];

export interface ReviewWindow {
  from: Date;
  to: Date;
}

export interface Count {
  key: string;
  count: number;
}

export interface Classification {
  total: number;
  byCategory: Count[];
  bySeverity: Count[];
  byPhase: Count[];
}

export interface Durations {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface PhaseTime {
  phase: string;
  count: number;
  medianSeconds: number | null;
}

export interface MilestoneTally {
  milestone: string;
  name: string;
  met: number;
  late: number;
  missed: number;
  pending: number;
}

/**
 * The figures for management review (ISO/IEC 27001 clause 9.3) over one window, read in the caller's tenant
 * transaction: row-level security keeps every statement to the caller's own rows, and each also names the
 * organisation. Exercises (ISO/IEC 27035-2 clause 11) count nowhere. docs/management-review.md says what each
 * figure measures.
 */
@Injectable()
export class ManagementReviewService {
  constructor(private readonly db: TenantDatabase) {}

  /** The organisation's own incidents aware in the window, its near misses and its NIS2 milestones. */
  async figures(principal: OrgPrincipal, query: FiguresQueryDto) {
    const window = reviewWindow(query);
    const params = [principal.orgId, window.from, window.to];
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const incidents = await classification(tx, INCIDENT_SCOPE, params);
      const [nearMisses] = await tx.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM event_reports
          WHERE org_id = $1 AND status = 'near_miss' AND triaged_at >= $2 AND triaged_at < $3`,
        params,
      );
      const [containment] = await tx.query<Durations>(
        `${INCIDENT_SCOPE} ${DURATIONS_OF('contained_at - aware_at', 'contained_at IS NOT NULL AND aware_at IS NOT NULL AND contained_at >= aware_at')}`,
        params,
      );
      return {
        organisationId: principal.orgId,
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        generatedAt: new Date().toISOString(),
        incidents,
        nearMisses: nearMisses.count,
        awarenessToContainment: containment,
        timePerPhase: await timePerPhase(tx, INCIDENT_SCOPE, 'incident', params),
        nis2: await nis2Milestones(tx, params, new Date()),
        improvementActions: await improvementActionFigures(tx, { orgId: principal.orgId, from: window.from, to: window.to }),
      };
    });
  }

  /** The coordinator's joint incidents opened in the window. */
  async jointFigures(principal: OrgPrincipal, query: FiguresQueryDto) {
    const window = reviewWindow(query);
    const params = [principal.orgId, window.from, window.to];
    // The actions its participants share with it are read through the shared view, in a shared read of their own.
    const improvementActions = await this.db.run(sharedReadContextOf(principal), (tx) =>
      sharedImprovementActionFigures(tx, { orgId: principal.orgId, from: window.from, to: window.to }),
    );
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const [closing] = await tx.query<Durations>(
        `${JOINT_SCOPE} ${DURATIONS_OF('closed_at - created_at', 'closed_at IS NOT NULL')}`,
        params,
      );
      // Organisations that took part: accepted, or accepted and removed later (a removal after a decline has no answer).
      const [participants] = await tx.query<{ median: number | null }>(
        `${JOINT_SCOPE}
         SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS median
           FROM (SELECT (SELECT count(*) FROM joint_participants p
                          WHERE p.joint_incident_id = s.id AND p.org_id = $1
                            AND (p.state = 'accepted' OR (p.state = 'removed' AND p.answered_at IS NOT NULL)))::float8 AS n
                   FROM scope s) per_joint`,
        params,
      );
      return {
        coordinatorId: principal.orgId,
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        generatedAt: new Date().toISOString(),
        jointIncidents: await classification(tx, JOINT_SCOPE, params),
        openingToClosing: closing,
        timePerPhase: await timePerPhase(tx, JOINT_SCOPE, 'joint_incident', params),
        participantsPerJointIncident: { median: participants.median },
        improvementActions,
      };
    });
  }
}

/** The window, checked: instants (the DTO), `to` after `from`, at most five years apart. */
export function reviewWindow(query: Pick<FiguresQueryDto, 'from' | 'to'>): ReviewWindow {
  const from = new Date(query.from);
  const to = new Date(query.to);
  if (to <= from) throw HubException.invalid('to', 'afterFrom', 'to must be after from: the window is [from, to)');
  const latest = new Date(from.getTime());
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_WINDOW_YEARS);
  if (to > latest) {
    throw HubException.invalid('to', 'windowAtMostFiveYears', `to must be at most ${MAX_WINDOW_YEARS} years after from; ask for several windows instead`);
  }
  return { from, to };
}

// The rows a review counts, as a CTE `scope` over $1 (the organisation), $2 and $3 (the window): an incident by
// the moment the organisation became aware of it (its creation when that is not recorded), a joint incident by
// its opening. Exercises are left out here, so out of every figure.
const INCIDENT_SCOPE = `WITH scope AS (
  SELECT id, category, severity, phase, aware_at, contained_at, clock_profiles FROM incidents
   WHERE org_id = $1 AND NOT exercise AND coalesce(aware_at, created_at) >= $2 AND coalesce(aware_at, created_at) < $3)`;

const JOINT_SCOPE = `WITH scope AS (
  SELECT id, category, severity, phase, created_at, closed_at FROM joint_incidents
   WHERE org_id = $1 AND NOT exercise AND created_at >= $2 AND created_at < $3)`;

/** Seconds to the millisecond: the interpolation's float noise (65880.00000000001) is no figure. */
const SECONDS = (value: string) => `round((${value})::numeric, 3)::float8`;

/** Median and 90th percentile (interpolated, `percentile_cont`) of an interval over the scope's rows that qualify. */
const DURATIONS_OF = (interval: string, qualifies: string) => `
  SELECT count(*)::int AS count,
         ${SECONDS('percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)')} AS "medianSeconds",
         ${SECONDS('percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)')} AS "p90Seconds"
    FROM (SELECT extract(epoch FROM ${interval})::float8 AS seconds FROM scope WHERE ${qualifies}) d`;

async function classification(tx: TenantTransaction, scope: string, params: unknown[]): Promise<Classification> {
  const rows = await tx.query<{ dimension: string; key: string; count: number }>(
    `${scope}
     SELECT 'category' AS dimension, category AS key, count(*)::int AS count FROM scope GROUP BY category
     UNION ALL SELECT 'severity', severity::text, count(*)::int FROM scope GROUP BY severity
     UNION ALL SELECT 'phase', phase, count(*)::int FROM scope GROUP BY phase`,
    params,
  );
  const of = (dimension: string) => new Map(rows.filter((r) => r.dimension === dimension).map((r) => [r.key, r.count]));
  const categories = of('category');
  // Every severity and phase is listed, with 0 where none; categories only where some incident has one.
  const listed = (counts: Map<string, number>, keys: readonly string[]) => keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
  return {
    total: [...categories.values()].reduce((sum, n) => sum + n, 0),
    byCategory: listed(categories, [...categories.keys()].sort()),
    bySeverity: listed(of('severity'), SEVERITIES),
    byPhase: listed(of('phase'), PHASES),
  };
}

/**
 * The time each phase took, from the phase moves in the subject's management-log chain: a phase is entered at its
 * move's entry (the first at the creation entry: every incident and joint incident opens in detect_report) and
 * left at the next move. Per record, the stints in one phase are added up; the median is over the records that
 * left that phase. The phase a record is in now has not ended and is not counted.
 */
async function timePerPhase(tx: TenantTransaction, scope: string, subjectType: 'incident' | 'joint_incident', params: unknown[]): Promise<PhaseTime[]> {
  const rows = await tx.query<PhaseTime>(
    `${scope},
     stints AS (
       SELECT l.subject_id, CASE WHEN l.action = $4 THEN 'detect_report' ELSE l.details ->> 'to' END AS phase, l.at,
              lead(l.at) OVER (PARTITION BY l.subject_id ORDER BY l.seq) AS left_at
         FROM management_log l JOIN scope s ON s.id = l.subject_id
        WHERE l.subject_type = $5 AND l.org_id = $1 AND l.action IN ($4, $6))
     SELECT phase, count(*)::int AS count, ${SECONDS('percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)')} AS "medianSeconds"
       FROM (SELECT subject_id, phase, sum(extract(epoch FROM left_at - at))::float8 AS seconds
               FROM stints WHERE left_at IS NOT NULL GROUP BY subject_id, phase) per_record
      GROUP BY phase`,
    [...params, `${subjectType}.created`, subjectType, `${subjectType}.phase_changed`],
  );
  // Closed is never left: every other phase is listed, with no median where none was left yet.
  return PHASES.filter((phase) => phase !== 'closed').map(
    (phase) => rows.find((r) => r.phase === phase) ?? { phase, count: 0, medianSeconds: null },
  );
}

/**
 * Each NIS2 milestone of the incidents in scope that run the NIS2 clock and have an awareness time, as the
 * clocks endpoint states it now (libs/incidents `clockStates`): met (sent by its deadline), late (sent after
 * it), missed (deadline passed, nothing sent), pending (deadline still ahead, nothing sent).
 */
async function nis2Milestones(tx: TenantTransaction, params: unknown[], now: Date) {
  const rows = await tx.query<{ aware_at: Date; submissions: { milestone: string; sentAt: string; reference: string }[] }>(
    `${INCIDENT_SCOPE}
     SELECT s.aware_at,
            coalesce(json_agg(json_build_object('milestone', r.milestone, 'sentAt', r.sent_at, 'reference', r.reference))
                     FILTER (WHERE r.id IS NOT NULL), '[]') AS submissions
       FROM scope s LEFT JOIN regulatory_submissions r ON r.incident_id = s.id AND r.org_id = $1 AND r.profile = $4
      WHERE $4 = ANY (s.clock_profiles) AND s.aware_at IS NOT NULL
      GROUP BY s.id, s.aware_at`,
    [...params, NIS2],
  );
  const milestones: MilestoneTally[] = (clockProfile(NIS2)?.milestones ?? []).map((m) => ({ milestone: m.id, name: m.name, met: 0, late: 0, missed: 0, pending: 0 }));
  for (const row of rows) {
    const submissions = row.submissions.map((s) => ({ profile: NIS2, milestone: s.milestone, sentAt: new Date(s.sentAt), reference: s.reference }));
    for (const state of clockStates([NIS2], row.aware_at, submissions, now)) {
      const tally = milestones.find((m) => m.milestone === state.milestone);
      if (!tally) continue;
      if (state.status === 'sent') tally.met += 1;
      else if (state.status === 'sent_late') tally.late += 1;
      else if (state.status === 'overdue') tally.missed += 1;
      else tally.pending += 1;
    }
  }
  return { incidents: rows.length, milestones };
}

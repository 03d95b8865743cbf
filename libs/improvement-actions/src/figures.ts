import type { TenantTransaction } from '#database';

/** Improvement actions for management review (ISO/IEC 27001 clause 9.3); exercises never count. */
export interface ImprovementActionFigures {
  /** Open or in progress now. */
  open: number;
  /** Of those, due before today (UTC). */
  overdue: number;
  /** Done within [from, to). */
  done: number;
}

export interface FiguresWindow {
  orgId: string;
  from: Date | string;
  to: Date | string;
}

const FIGURES = `count(*) FILTER (WHERE ia.state IN ('open', 'in_progress'))::int AS open,
       count(*) FILTER (WHERE ia.state IN ('open', 'in_progress') AND ia.due_on < (now() AT TIME ZONE 'UTC')::date)::int AS overdue,
       count(*) FILTER (WHERE ia.state = 'done' AND ia.done_at >= $2::timestamptz AND ia.done_at < $3::timestamptz)::int AS done`;

/** An organisation's own actions, in its tenant transaction (`tenantContextOf` the organisation). */
export async function improvementActionFigures(tx: TenantTransaction, window: FiguresWindow): Promise<ImprovementActionFigures> {
  const [row] = await tx.query<ImprovementActionFigures>(
    `SELECT ${FIGURES} FROM improvement_actions ia WHERE ia.org_id = $1 AND NOT ia.exercise`,
    [window.orgId, window.from, window.to],
  );
  return row;
}

/**
 * A coordinator's figures: the actions its participants share with it from its own joint incidents, read through
 * the shared view (so `tx` must read shared: `sharedReadContextOf` the coordinator), exercises left out.
 */
export async function sharedImprovementActionFigures(tx: TenantTransaction, window: FiguresWindow): Promise<ImprovementActionFigures> {
  const [row] = await tx.query<ImprovementActionFigures>(
    `SELECT ${FIGURES} FROM shared_improvement_actions ia
      WHERE NOT ia.exercise AND ia.joint_incident_id IN (SELECT j.id FROM joint_incidents j WHERE j.org_id = $1)`,
    [window.orgId, window.from, window.to],
  );
  return row;
}

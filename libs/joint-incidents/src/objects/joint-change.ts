import type { OrgPrincipal } from '#auth';
import type { TenantTransaction } from '#database';
import { emitJointEvent, jointObjectGrantees, logJoint, syncJointAccess } from '../joint-workspace.js';

export interface JointChange {
  /** The management-log action, e.g. `joint_update.posted`. */
  action: string;
  reason?: string;
  /** Ids and kinds only: participants read this chain, so it never names a pseudonymous organisation. */
  details: Record<string, unknown>;
  /** A joint object (`joint_update`, …), or a linked `incident` whose onward grants the change moves. */
  event: { type: string; aggregateType: string; aggregateId: string };
  /** Keys that read the object before the change (a withdrawal is routed to those who lose it too). */
  granteesBefore?: string[];
}

/**
 * Every change inside a joint incident, in its own transaction: the derived grants recomputed
 * (`hub_sync_joint_access`), a log entry in the joint incident's chain, and an outbox row carrying the ids and
 * the grantee keys that may read the object, so the real-time relay routes without re-reading.
 */
export async function recordJointChange(tx: TenantTransaction, principal: OrgPrincipal, jointId: string, change: JointChange): Promise<void> {
  await syncJointAccess(tx, jointId);
  await logJoint(tx, principal, jointId, { action: change.action, reason: change.reason, details: change.details });
  const after =
    change.event.aggregateType === 'incident'
      ? await onwardGrantees(tx, jointId, change.event.aggregateId)
      : await jointObjectGrantees(tx, jointId, change.event.aggregateId);
  const grantees = [...new Set([...(change.granteesBefore ?? []), ...after])].sort();
  await emitJointEvent(tx, jointId, { ...change.event, grantees });
}

/**
 * The keys a linked incident (and its observables) is passed on to through this joint incident, for its
 * coordinator: the owner's derived rows are not readable in the table (`hub_onward_grantees`).
 */
export async function onwardGrantees(tx: TenantTransaction, jointId: string, incidentId: string): Promise<string[]> {
  const [row] = await tx.query<{ keys: string[] }>('SELECT hub_onward_grantees($1, $2) AS keys', [jointId, incidentId]);
  return row?.keys ?? [];
}

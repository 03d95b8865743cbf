import type { OrgPrincipal } from '#auth';
import { appendLog } from '#audit';
import { emitOutbox, type OutboxEvent, type TenantTransaction } from '#database';

export interface JointChange {
  /** The management-log action, e.g. `joint_update.posted`. */
  action: string;
  reason?: string;
  /** Ids and kinds only: participants read this chain, so it never names a pseudonymous organisation. */
  details: Record<string, unknown>;
  event: { type: string; aggregateType: string; aggregateId: string };
  /** Keys that read the object before the change (a withdrawal is routed to those who lose it). */
  granteesBefore?: string[];
}

/**
 * Every change inside a joint incident, in its own transaction: the derived grants recomputed
 * (`hub_sync_joint_access`), a log entry in the joint incident's chain, and an outbox row carrying the ids and
 * the grantee keys that may now read the object, so the real-time relay routes without re-reading.
 */
export async function recordJointChange(tx: TenantTransaction, principal: OrgPrincipal, jointId: string, change: JointChange): Promise<void> {
  await tx.query('SELECT hub_sync_joint_access($1)', [jointId]);
  await appendLog(tx, principal, { type: 'joint_incident', id: jointId }, { action: change.action, reason: change.reason, details: change.details });
  const grantees = [...new Set([...(change.granteesBefore ?? []), ...(await granteesOf(tx, change.event.aggregateId))])].sort();
  const event: OutboxEvent & { grantees: string[] } = { ...change.event, payload: { jointIncidentId: jointId }, grantees };
  await emitOutbox(tx, event);
}

/**
 * The grantee keys that read one of the caller's own objects. Through a definer function: the owner no longer
 * reads derived rows of the access table itself (they could name a pseudonymous participant's organisation).
 */
export async function granteesOf(tx: TenantTransaction, objectId: string): Promise<string[]> {
  const [row] = await tx.query<{ keys: string[] }>('SELECT hub_owned_object_grantees($1) AS keys', [objectId]);
  return row?.keys ?? [];
}

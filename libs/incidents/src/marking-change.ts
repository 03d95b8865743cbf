import type { OrgPrincipal } from '#auth';
import { emitOutbox, type TenantTransaction } from '#database';
import { allows, isLoosening, isTightening, SharingException, type TlpMarking, withdrawDisallowed } from '#sharing';
import { abilityOf } from './ability-of.js';
import { appendLog } from '#audit';

/** Only the owner organisation may loosen a marking; anyone who may edit the object may tighten it. */
export function checkMarkingChange(principal: OrgPrincipal, subject: 'Incident' | 'Observable', ownerOrgId: string, from: TlpMarking, to: TlpMarking): void {
  if (isLoosening(from, to) && !allows(abilityOf(principal), 'loosen', subject, { orgId: ownerOrgId })) throw SharingException.loosenByOwnerOnly();
}

/**
 * After the new marking is written: tightening withdraws, in the same transaction, every release the new
 * marking no longer allows, each withdrawal a log entry on the incident. Loosening grants nothing by itself.
 */
export async function applyMarkingChange(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  incidentId: string,
  objectType: 'incident' | 'observable',
  objectId: string,
  from: TlpMarking,
  to: TlpMarking,
): Promise<void> {
  if (!isTightening(from, to)) return;
  const reason = `the ${objectType} marking was tightened from ${from} to ${to}`;
  const withdrawn = await withdrawDisallowed(tx, objectId, to, principal.id, reason);
  for (const release of withdrawn) {
    await appendLog(tx, principal, { type: 'incident', id: incidentId }, {
      action: 'release.withdrawn',
      reason,
      details: { releaseId: release.id, object: { type: release.object_type, id: release.object_id }, recipientKind: release.recipient_kind },
    });
  }
  if (withdrawn.length > 0) {
    await emitOutbox(tx, { type: 'release.withdrawn', aggregateType: 'incident', aggregateId: incidentId, payload: { releases: withdrawn.length } });
  }
}

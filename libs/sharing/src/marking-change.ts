import { appendLog } from '#audit';
import type { OrgPrincipal } from '#auth';
import { emitOutbox, type TenantTransaction } from '#database';
import { syncAccess, withdrawDisallowed } from './access-table.js';
import { isLoosening, isTightening, type TlpMarking } from './markings.js';
import { allows, type PolicySubject } from './policy.js';
import { abilityOf } from './principal-policy.js';
import { logSubjectOf } from './releases.service.js';
import { shareableType } from './shareable-types.js';
import { SharingException } from './sharing.exception.js';

/** Only the owner organisation may loosen a marking; anyone who may edit the object may tighten it. */
export function checkMarkingChange(principal: OrgPrincipal, objectType: string, ownerOrgId: string, from: TlpMarking, to: TlpMarking): void {
  const subject = shareableType(objectType).ownSubject as PolicySubject;
  if (isLoosening(from, to) && !allows(abilityOf(principal), 'loosen', subject, { orgId: ownerOrgId })) throw SharingException.loosenByOwnerOnly();
}

/**
 * After the new marking is written, for an object of any registered type: tightening withdraws, in the same
 * transaction, every release the new marking no longer allows, each withdrawal a log entry in the container's
 * chain. Either way, grants derived from the object (the onward pass) are recomputed under the new marking.
 * Loosening grants nothing by itself.
 */
export async function applyMarkingChange(
  tx: TenantTransaction,
  principal: OrgPrincipal,
  object: { type: string; id: string; containerId: string },
  from: TlpMarking,
  to: TlpMarking,
): Promise<void> {
  if (from === to) return;
  if (!isTightening(from, to)) {
    await syncAccess(tx, [object.id]);
    return;
  }
  const container = { type: shareableType(object.type).container.type, id: object.containerId };
  const reason = `the ${object.type.replaceAll('_', ' ')} marking was tightened from ${from} to ${to}`;
  const withdrawn = await withdrawDisallowed(tx, object.id, to, principal.id, reason);
  // withdrawDisallowed syncs what it ended; an unchanged release list still needs the derived grants redone.
  if (withdrawn.length === 0) await syncAccess(tx, [object.id]);
  for (const release of withdrawn) {
    await appendLog(tx, principal, logSubjectOf(container), {
      action: 'release.withdrawn',
      reason,
      details: { releaseId: release.id, object: { type: release.object_type, id: release.object_id }, recipientKind: release.recipient_kind },
    });
  }
  if (withdrawn.length > 0) {
    await emitOutbox(tx, { type: 'release.withdrawn', aggregateType: container.type, aggregateId: container.id, payload: { releases: withdrawn.length } });
  }
}

import type { Principal } from '#auth';
import type { TenantTransaction } from '#database';

/** What an agreement's management-log entry says (the `#audit` LogEntryInput). */
export interface AgreementLogEntry {
  action: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/**
 * The agreement's management-log chain (DESIGN section 8), owned by the coordinator; its parties append their
 * acceptances to it. The one place agreements touch the log, so wiring `#audit` is one edit here:
 *   appendLog(tx, principal, { type: 'agreement', id: agreementId }, entry)
 * Until `#audit` lands on main, the acceptance table (append-only) and the outbox row are the record.
 */
export async function logAgreement(_tx: TenantTransaction, _principal: Principal, _agreementId: string, _entry: AgreementLogEntry): Promise<void> {
  // #audit not merged yet: see the comment above.
}

/**
 * Lets the parties append to the coordinator's agreement chain (called by the coordinator when it publishes a
 * version): grantLogWriter(tx, { type: 'agreement', id: agreementId }, orgId) for each party.
 */
export async function letPartiesLog(_tx: TenantTransaction, _agreementId: string, _parties: readonly string[]): Promise<void> {
  // #audit not merged yet: see logAgreement.
}

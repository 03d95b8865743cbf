import { appendLog, grantLogWriter, type LogEntry, type LogEntryInput, revokeLogWriter } from '#audit';
import type { Principal } from '#auth';
import type { TenantTransaction } from '#database';

/** What an agreement's management-log entry says. */
export type AgreementLogEntry = LogEntryInput;

/**
 * The agreement's management-log chain (DESIGN section 8), `{ type: 'agreement', id }`, owned by the coordinator:
 * its first append is the publication, in the transaction that creates the agreement, so the chain exists (and
 * is the coordinator's) before any other organisation can learn the agreement's id. Parties append their
 * acceptances to it as log writers. The one place agreements touch the log.
 */
export async function logAgreement(tx: TenantTransaction, principal: Principal, agreementId: string, entry: AgreementLogEntry): Promise<LogEntry> {
  return appendLog(tx, principal, { type: 'agreement', id: agreementId }, entry);
}

/** Lets the parties of a version append (their acceptances) to the coordinator's agreement chain, and read it. */
export async function letPartiesLog(tx: TenantTransaction, agreementId: string, parties: readonly string[]): Promise<void> {
  for (const party of parties) await grantLogWriter(tx, { type: 'agreement', id: agreementId }, party);
}

/** A party dropped from the new version no longer writes to or reads the chain (what it appended stays). */
export async function stopPartiesLogging(tx: TenantTransaction, agreementId: string, parties: readonly string[]): Promise<void> {
  for (const party of parties) await revokeLogWriter(tx, { type: 'agreement', id: agreementId }, party);
}

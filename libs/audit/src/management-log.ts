import type { Principal } from '#auth';
import { HubException } from '#common';
import type { TenantTransaction } from '#database';
import { type ChainVerdict, entryHash, type LogEntry, type LogEntryInput, type LogSubject, verifyChain } from './log-chain.js';

/**
 * Appends to a subject's management log (ISO/IEC 27035-1 4.7.3). The head is locked first, so entries of
 * one chain are appended one at a time and each carries the hash of the one before; the head is kept
 * apart from the entries, so removing the last entry is detectable too.
 */
export async function appendLog(tx: TenantTransaction, principal: Principal, subject: LogSubject, input: LogEntryInput): Promise<LogEntry> {
  incidentOnly(subject);
  const [head] = await tx.query<{ log_length: number; log_head_hash: string | null }>(
    'SELECT log_length, log_head_hash FROM incidents WHERE id = $1 FOR UPDATE',
    [subject.id],
  );
  if (!head) throw new Error(`incident ${subject.id} is not visible in this transaction`);
  const entry: Omit<LogEntry, 'id' | 'hash'> = {
    seq: head.log_length + 1,
    at: new Date().toISOString(),
    actorId: principal.id,
    actorKind: principal.kind,
    action: input.action,
    reason: input.reason ?? '',
    details: input.details ?? {},
    prevHash: head.log_head_hash,
  };
  const hash = entryHash(subject.id, entry);
  const [row] = await tx.query<LogRow>(
    `INSERT INTO management_log (org_id, incident_id, seq, at, actor_id, actor_kind, action, reason, details, prev_hash, hash)
     SELECT org_id, id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM incidents WHERE id = $1 RETURNING *`,
    [subject.id, entry.seq, entry.at, entry.actorId, entry.actorKind, entry.action, entry.reason, entry.details, entry.prevHash, hash],
  );
  // What verification will read is what PostgreSQL stored, not what was sent: if the two hash differently
  // (text the database changes on the way in), refuse the write rather than append an entry that never verifies.
  if (entryHash(subject.id, logEntryOf(row)) !== hash) {
    throw new Error(`management log entry ${entry.seq} of incident ${subject.id} would not verify as stored`);
  }
  await tx.query('UPDATE incidents SET log_length = $2, log_head_hash = $3 WHERE id = $1', [subject.id, entry.seq, hash]);
  return { id: row.id, hash, ...entry };
}

/** The subject's entries in chain order. */
export async function readLog(tx: TenantTransaction, subject: LogSubject): Promise<LogEntry[]> {
  incidentOnly(subject);
  const rows = await tx.query<LogRow>('SELECT * FROM management_log WHERE incident_id = $1 ORDER BY seq', [subject.id]);
  return rows.map(logEntryOf);
}

/** The one verification path: REST `…/log/verify` and the CLI's `log:verify` both call it. */
export async function verifyLog(tx: TenantTransaction, subject: LogSubject): Promise<ChainVerdict> {
  incidentOnly(subject);
  const [head] = await tx.query<{ log_length: number; log_head_hash: string | null }>('SELECT log_length, log_head_hash FROM incidents WHERE id = $1', [subject.id]);
  if (!head) throw HubException.notFound('log');
  return verifyChain(subject.id, await readLog(tx, subject), { length: head.log_length, hash: head.log_head_hash });
}

function incidentOnly(subject: LogSubject): void {
  if (subject.type !== 'incident') throw new Error(`the management log does not keep ${subject.type} chains yet`);
}

interface LogRow {
  id: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  reason: string;
  details: Record<string, unknown>;
  prev_hash: string | null;
  hash: string;
}

function logEntryOf(r: LogRow): LogEntry {
  return {
    id: r.id,
    seq: r.seq,
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorKind: r.actor_kind,
    action: r.action,
    reason: r.reason,
    details: r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

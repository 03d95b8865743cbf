import type { Principal } from '#auth';
import { HubException } from '#common';
import type { TenantTransaction } from '#database';
import { AuditException } from './audit.exception.js';
import { type ChainVerdict, entryHash, type LogEntry, type LogEntryInput, type LogSubject, verifyChain } from './log-chain.js';

/** A chain's head: who owns the chain, how many entries it has and the hash of the last. */
export interface LogHead {
  subject: LogSubject;
  /** The organisation that owns the chain (its first appender); every entry is stored under it. */
  ownerOrgId: string;
  length: number;
  headHash: string | null;
}

/**
 * Opens a subject's chain for writing: locks its head until the transaction ends and answers it. A subject
 * without a chain gets one, owned by the caller's organisation (an incident's only by the incident's owner).
 * appendLog and grantLogWriter open the chain themselves; call this to create one before anything is logged.
 * A chain the caller neither owns nor writes to: 404, as if it did not exist.
 */
export async function openLog(tx: TenantTransaction, subject: LogSubject): Promise<LogHead> {
  const [head] = await database(subject, () =>
    tx.query<{ owner_org_id: string; length: number; head_hash: string | null }>('SELECT owner_org_id, length, head_hash FROM hub_log_open($1, $2)', [
      subject.type,
      subject.id,
    ]),
  );
  return { subject: { type: subject.type, id: subject.id }, ownerOrgId: head.owner_org_id, length: head.length, headHash: head.head_hash };
}

/**
 * Appends to a subject's management log (ISO/IEC 27035-1 4.7.3), as the caller's organisation: the chain's
 * owner, or an organisation the owner listed with grantLogWriter. The head is locked first, so entries of one
 * chain are appended one at a time and each carries the hash of the one before; the head is kept apart from
 * the entries, so removing the last entry is detectable too.
 */
export async function appendLog(tx: TenantTransaction, principal: Principal, subject: LogSubject, input: LogEntryInput): Promise<LogEntry> {
  // The incident row first, then the head, as every path that changes an incident locks them: the other
  // order would deadlock with a change that holds the incident and waits to log.
  if (subject.type === 'incident') await tx.query('SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE', [subject.id]);
  const head = await openLog(tx, subject);
  const caller = tx.context.orgId;
  const entry: Omit<LogEntry, 'id' | 'hash'> = {
    seq: head.length + 1,
    at: new Date().toISOString(),
    actorId: principal.id,
    actorKind: principal.kind,
    actorOrgId: caller === head.ownerOrgId ? null : caller,
    action: input.action,
    reason: input.reason ?? '',
    details: input.details ?? {},
    prevHash: head.headHash,
  };
  const hash = entryHash(subject.id, entry);
  const [row] = await database(subject, () =>
    tx.query<LogRow>('SELECT * FROM hub_log_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)', [
      subject.type,
      subject.id,
      entry.seq,
      entry.at,
      entry.actorId,
      entry.actorKind,
      entry.actorOrgId,
      entry.action,
      entry.reason,
      entry.details,
      entry.prevHash,
      hash,
    ]),
  );
  // What verification will read is what PostgreSQL stored, not what was sent: if the two hash differently
  // (text the database changes on the way in), refuse the write rather than append an entry that never verifies.
  if (entryHash(subject.id, logEntryOf(row)) !== hash) {
    throw new Error(`management log entry ${entry.seq} of ${subject.type} ${subject.id} would not verify as stored`);
  }
  // The register keeps its copy of the head for the incident's view (an incident's chain has no other writer).
  if (subject.type === 'incident') {
    await tx.query('UPDATE incidents SET log_length = $2, log_head_hash = $3 WHERE id = $1', [subject.id, entry.seq, hash]);
  }
  return { id: row.id, hash, ...entry };
}

/** The subject's entries in chain order, as far as the caller may read them (the owner and the writers); none otherwise. */
export async function readLog(tx: TenantTransaction, subject: LogSubject): Promise<LogEntry[]> {
  const rows = await tx.query<LogRow>(
    `SELECT id, seq, at, actor_id, actor_kind, actor_org_id, action, reason, details, prev_hash, hash
       FROM management_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq`,
    [subject.type, subject.id],
  );
  return rows.map(logEntryOf);
}

/** The one verification path: REST `…/log/verify` and the CLI's `log:verify` both call it. */
export async function verifyLog(tx: TenantTransaction, subject: LogSubject): Promise<ChainVerdict> {
  const head = await readableHead(tx, subject);
  return verifyChain(subject.id, await readLog(tx, subject), { length: head.length, hash: head.headHash });
}

/**
 * Lets another organisation append to (and read) the caller's chain: a joint incident's participant, an
 * agreement's party. The caller must own the chain (it is created, owned by the caller, if the subject has
 * none yet). Granting again, or granting the owner, changes nothing. An incident's chain takes no writers.
 */
export async function grantLogWriter(tx: TenantTransaction, subject: LogSubject, orgId: string): Promise<void> {
  if (subject.type === 'incident') throw AuditException.noWritersOnIncidents();
  const head = await openLog(tx, subject);
  if (head.ownerOrgId !== tx.context.orgId) throw HubException.notFound('log');
  if (orgId === head.ownerOrgId) return;
  await database(subject, () =>
    tx.query(
      `INSERT INTO log_writers (subject_type, subject_id, owner_org_id, org_id, granted_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (subject_type, subject_id, org_id) DO NOTHING`,
      [subject.type, subject.id, head.ownerOrgId, orgId, tx.context.userId],
    ),
  );
}

/** Ends another organisation's right to append to the caller's chain; what it appended stays. */
export async function revokeLogWriter(tx: TenantTransaction, subject: LogSubject, orgId: string): Promise<void> {
  const head = await readableHead(tx, subject);
  if (head.ownerOrgId !== tx.context.orgId) throw HubException.notFound('log');
  await tx.query('DELETE FROM log_writers WHERE subject_type = $1 AND subject_id = $2 AND org_id = $3', [subject.type, subject.id, orgId]);
}

/** The organisations other than the owner that may append to the caller's chain (the owner sees the list; a writer sees itself). */
export async function logWriters(tx: TenantTransaction, subject: LogSubject): Promise<string[]> {
  const rows = await tx.query<{ org_id: string }>('SELECT org_id FROM log_writers WHERE subject_type = $1 AND subject_id = $2 ORDER BY granted_at, org_id', [
    subject.type,
    subject.id,
  ]);
  return rows.map((row) => row.org_id);
}

/** The head of a chain the caller owns or writes to, without locking it; 404 otherwise. */
export async function readableHead(tx: TenantTransaction, subject: LogSubject): Promise<LogHead> {
  const [head] = await tx.query<{ org_id: string; length: number; head_hash: string | null; writer: boolean }>(
    `SELECT org_id, length, head_hash, hub_log_writer(subject_type, subject_id) AS writer
       FROM log_heads WHERE subject_type = $1 AND subject_id = $2`,
    [subject.type, subject.id],
  );
  // A shared-read transaction also sees the heads of subjects released to the caller: those are no log of its.
  if (!head || (head.org_id !== tx.context.orgId && !head.writer)) throw HubException.notFound('log');
  return { subject: { type: subject.type, id: subject.id }, ownerOrgId: head.org_id, length: head.length, headHash: head.head_hash };
}

/** The database's refusals, as the hub answers them: a chain not there (or not the caller's) is a 404. */
async function database<T>(subject: LogSubject, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const e = error as { code?: string; driverError?: { code?: string; constraint?: string } };
    const code = e.driverError?.code ?? e.code;
    if (code === 'P0002') throw HubException.notFound('log');
    if (code === '23503' && e.driverError?.constraint?.startsWith('log_writers_org_id')) throw AuditException.unknownOrganisation();
    if (code === '23514' && e.driverError?.constraint === 'log_heads_subject_type_check') {
      throw HubException.invalid('subject.type', 'logSubjectType', `${subject.type} is not a subject with a management log`);
    }
    throw error;
  }
}

interface LogRow {
  id: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_kind: string;
  actor_org_id: string | null;
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
    actorOrgId: r.actor_org_id,
    action: r.action,
    reason: r.reason,
    details: r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

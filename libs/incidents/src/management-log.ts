import { createHash } from 'node:crypto';
import type { Principal } from '#auth';
import type { TenantTransaction } from '#database';

export interface LogEntryInput {
  action: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export interface LogEntry {
  id: string;
  seq: number;
  at: string;
  actorId: string | null;
  actorKind: string;
  action: string;
  reason: string;
  details: Record<string, unknown>;
  prevHash: string | null;
  hash: string;
}

/** JSON with object keys sorted at every depth: jsonb reorders keys, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(incidentId: string, entry: Omit<LogEntry, 'id' | 'hash'>): string {
  const material = canonicalJson([
    incidentId,
    entry.seq,
    entry.at,
    entry.actorId,
    entry.actorKind,
    entry.action,
    entry.reason,
    entry.details,
    entry.prevHash,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/**
 * Appends to an incident's management log (ISO/IEC 27035-1 4.7.3). The incident row is locked first, so
 * entries of one incident are appended one at a time and each carries the hash of the one before; the
 * incident keeps the head, so removing the last entry is detectable too.
 */
export async function appendLog(tx: TenantTransaction, principal: Principal, incidentId: string, input: LogEntryInput): Promise<LogEntry> {
  const [head] = await tx.query<{ log_length: number; log_head_hash: string | null }>(
    'SELECT log_length, log_head_hash FROM incidents WHERE id = $1 FOR UPDATE',
    [incidentId],
  );
  if (!head) throw new Error(`incident ${incidentId} is not visible in this transaction`);
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
  const hash = entryHash(incidentId, entry);
  const [row] = await tx.query<LogRow>(
    `INSERT INTO management_log (org_id, incident_id, seq, at, actor_id, actor_kind, action, reason, details, prev_hash, hash)
     SELECT org_id, id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM incidents WHERE id = $1 RETURNING *`,
    [incidentId, entry.seq, entry.at, entry.actorId, entry.actorKind, entry.action, entry.reason, entry.details, entry.prevHash, hash],
  );
  // What verification will read is what PostgreSQL stored, not what was sent: if the two hash differently
  // (text the database changes on the way in), refuse the write rather than append an entry that never verifies.
  if (entryHash(incidentId, logEntryOf(row)) !== hash) {
    throw new Error(`management log entry ${entry.seq} of incident ${incidentId} would not verify as stored`);
  }
  await tx.query('UPDATE incidents SET log_length = $2, log_head_hash = $3 WHERE id = $1', [incidentId, entry.seq, hash]);
  return { id: row.id, hash, ...entry };
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

export async function readLog(tx: TenantTransaction, incidentId: string): Promise<LogEntry[]> {
  const rows = await tx.query<LogRow>('SELECT * FROM management_log WHERE incident_id = $1 ORDER BY seq', [incidentId]);
  return rows.map(logEntryOf);
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

export interface ChainBreak {
  seq: number;
  id: string | null;
  problem: string;
}

export interface ChainVerdict {
  valid: boolean;
  entries: number;
  /** The first break, kept for readers of the earlier answer; `breaks` lists them all. */
  firstBroken: ChainBreak | null;
  breaks: ChainBreak[];
}

/**
 * Recomputes the chain and names every entry that does not hold, not only the first: a later, real
 * tampering must not hide behind an earlier break. Each link is checked against the stored hash of the
 * entry before it, so one changed entry is one break, and its successors are judged on their own.
 */
export function verifyChain(incidentId: string, entries: LogEntry[], head: { length: number; hash: string | null }): ChainVerdict {
  const breaks: ChainBreak[] = [];
  let expectedSeq = 1;
  let previous: LogEntry | null = null;
  for (const entry of entries) {
    const gap = entry.seq > expectedSeq;
    for (let missing = expectedSeq; missing < entry.seq; missing += 1) breaks.push({ seq: missing, id: null, problem: `entry ${missing} is missing` });
    if (entry.seq < expectedSeq) breaks.push({ seq: entry.seq, id: entry.id, problem: `entry ${entry.seq} appears out of order` });
    else if (!gap && entry.prevHash !== (previous?.hash ?? null)) breaks.push({ seq: entry.seq, id: entry.id, problem: 'its link to the previous entry does not match' });
    if (entryHash(incidentId, entry) !== entry.hash) breaks.push({ seq: entry.seq, id: entry.id, problem: 'its content does not match its hash' });
    expectedSeq = Math.max(expectedSeq, entry.seq + 1);
    previous = entry;
  }
  const last = expectedSeq - 1;
  for (let missing = last + 1; missing <= head.length; missing += 1) breaks.push({ seq: missing, id: null, problem: `entry ${missing} is missing` });
  if (head.length < last || (head.length === last && head.hash !== (previous?.hash ?? null))) {
    breaks.push({ seq: last, id: previous?.id ?? null, problem: `the recorded head (${head.length} entries) does not end at this entry` });
  }
  return { valid: breaks.length === 0, entries: entries.length, firstBroken: breaks[0] ?? null, breaks };
}

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
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO management_log (org_id, incident_id, seq, at, actor_id, actor_kind, action, reason, details, prev_hash, hash)
     SELECT org_id, id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM incidents WHERE id = $1 RETURNING id`,
    [incidentId, entry.seq, entry.at, entry.actorId, entry.actorKind, entry.action, entry.reason, entry.details, entry.prevHash, hash],
  );
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
  return rows.map((r) => ({
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
  }));
}

export interface ChainVerdict {
  valid: boolean;
  entries: number;
  firstBroken: { seq: number; id: string | null; problem: string } | null;
}

/** Recomputes the chain and names the first entry that does not hold. */
export function verifyChain(incidentId: string, entries: LogEntry[], head: { length: number; hash: string | null }): ChainVerdict {
  let prevHash: string | null = null;
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i];
    const broken = (problem: string): ChainVerdict => ({ valid: false, entries: entries.length, firstBroken: { seq: i + 1, id: entry.id, problem } });
    if (entry.seq !== i + 1) return { valid: false, entries: entries.length, firstBroken: { seq: i + 1, id: null, problem: `entry ${i + 1} is missing` } };
    if (entry.prevHash !== prevHash) return broken('its link to the previous entry does not match');
    if (entryHash(incidentId, entry) !== entry.hash) return broken('its content does not match its hash');
    prevHash = entry.hash;
  }
  if (head.length !== entries.length || head.hash !== prevHash) {
    return {
      valid: false,
      entries: entries.length,
      firstBroken: { seq: entries.length + 1, id: null, problem: `the log should hold ${head.length} entries ending in the recorded head` },
    };
  }
  return { valid: true, entries: entries.length, firstBroken: null };
}

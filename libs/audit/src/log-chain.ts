import { createHash } from 'node:crypto';

/** What a management log is kept about: each subject has its own hash chain. */
export type LogSubjectType = 'incident' | 'joint_incident' | 'agreement';

export const LOG_SUBJECT_TYPES: readonly LogSubjectType[] = ['incident', 'joint_incident', 'agreement'];

export interface LogSubject {
  type: LogSubjectType;
  id: string;
}

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

/**
 * The hash of one entry. Its material starts with the subject's id (a UUID, unique across subject types),
 * exactly as the per-incident log hashed it, so chains written before the log became generic still verify.
 */
export function entryHash(subjectId: string, entry: Omit<LogEntry, 'id' | 'hash'>): string {
  const material = canonicalJson([
    subjectId,
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
 * Recomputes the chain and names every entry that does not hold, not only the first: a later, real
 * tampering must not hide behind an earlier break. Each link is checked against the stored hash of the
 * entry before it, so one changed entry is one break, and its successors are judged on their own.
 */
export function verifyChain(subjectId: string, entries: LogEntry[], head: { length: number; hash: string | null }): ChainVerdict {
  const breaks: ChainBreak[] = [];
  let expectedSeq = 1;
  let previous: LogEntry | null = null;
  for (const entry of entries) {
    const gap = entry.seq > expectedSeq;
    for (let missing = expectedSeq; missing < entry.seq; missing += 1) breaks.push({ seq: missing, id: null, problem: `entry ${missing} is missing` });
    if (entry.seq < expectedSeq) breaks.push({ seq: entry.seq, id: entry.id, problem: `entry ${entry.seq} appears out of order` });
    else if (!gap && entry.prevHash !== (previous?.hash ?? null)) breaks.push({ seq: entry.seq, id: entry.id, problem: 'its link to the previous entry does not match' });
    if (entryHash(subjectId, entry) !== entry.hash) breaks.push({ seq: entry.seq, id: entry.id, problem: 'its content does not match its hash' });
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

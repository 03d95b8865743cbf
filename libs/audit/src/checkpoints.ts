import { CompactSign, type CryptoKey } from 'jose';
import type { LogSubject } from './log-chain.js';

/** The JWS `typ` of a checkpoint, so it is never mistaken for an access token or a feed signed by the same library. */
export const CHECKPOINT_TYPE = 'hub-log-checkpoint+jws';

/** What a checkpoint states: this chain had `length` entries, the last hashing to `head`, at `iat`. */
export interface CheckpointClaims {
  /** The checkpoint's id, as the hub lists it. */
  jti: string;
  /** `<subject type>:<subject id>`, e.g. `incident:8d3c…`. */
  sub: string;
  /** The organisation that owns the chain. */
  org: string;
  length: number;
  /** Hex SHA-256 of the last entry (see docs/architecture.md for how an entry is hashed). */
  head: string;
  hashAlg: 'sha-256';
  /** Seconds since the epoch. */
  iat: number;
}

export function checkpointSubject(subject: LogSubject): string {
  return `${subject.type}:${subject.id}`;
}

/** Signs a chain head as a compact JWS with the ring's current key: header `alg`, `kid` (RFC 7638 thumbprint), `typ`. */
export function signCheckpoint(claims: CheckpointClaims, key: { kid: string; key: CryptoKey }, alg: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg, kid: key.kid, typ: CHECKPOINT_TYPE }).sign(key.key);
}

export interface CheckpointRow {
  id: string;
  subject_type: LogSubject['type'];
  subject_id: string;
  org_id: string;
  length: number;
  head_hash: string;
  kid: string;
  jws: string;
  created_at: Date;
  created_by: string | null;
}

/** A checkpoint as the API answers it; who asked for it stays with the chain's owner. */
export function checkpointView(row: CheckpointRow, callerOrgId: string) {
  return {
    id: row.id,
    subject: { type: row.subject_type, id: row.subject_id },
    orgId: row.org_id,
    length: row.length,
    headHash: row.head_hash,
    kid: row.kid,
    jws: row.jws,
    createdAt: row.created_at.toISOString(),
    createdBy: row.org_id === callerOrgId ? row.created_by : null,
  };
}

export type CheckpointViewOf = ReturnType<typeof checkpointView>;

import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type KeyRing, KeyRings, type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { HubException } from '#common';
import { emitOutbox, NO_TENANT, TenantDatabase } from '#database';
import { AuditException } from './audit.exception.js';
import { type CheckpointRow, checkpointSubject, checkpointView, signCheckpoint } from './checkpoints.js';
import type { LogSubject } from './log-chain.js';
import { readableHead, readLog, verifyLog } from './management-log.js';

const CHECKPOINT_COLUMNS = 'id, subject_type, subject_id, org_id, length, head_hash, kid, jws, created_at, created_by';

/**
 * The management log's routes, whatever the subject: a controller checks the route's roles and names the
 * subject (`{ type: 'incident', id }`, `{ type: 'joint_incident', id }`), this service does the rest. The
 * chain decides who sees what: its owner and its writers read entries and verify; the owner signs
 * checkpoints; checkpoints are also listed to organisations the subject is released to.
 */
@Injectable()
export class LogService implements OnModuleInit {
  private readonly ring: KeyRing;

  constructor(
    private readonly db: TenantDatabase,
    rings: KeyRings,
  ) {
    this.ring = rings.ring('log-checkpoint');
  }

  async onModuleInit(): Promise<void> {
    await this.ring.reload();
  }

  /** The chain's entries, in order, to its owner and writers; 404 to anyone else. */
  entries(principal: OrgPrincipal, subject: LogSubject) {
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await readableHead(tx, subject);
      return { items: await readLog(tx, subject) };
    });
  }

  /** Recomputes the chain (verifyLog) for its owner and writers; 404 to anyone else. */
  verify(principal: OrgPrincipal, subject: LogSubject) {
    return this.db.run(tenantContextOf(principal), (tx) => verifyLog(tx, subject));
  }

  /**
   * Signs the chain's current head with the 'log-checkpoint' key, keeps the checkpoint and emits
   * `log.checkpoint`; the chain's owner only (404 to anyone else), and only once it has an entry.
   */
  async createCheckpoint(principal: OrgPrincipal, subject: LogSubject) {
    // The ring re-reads itself (at most once a minute) when asked for a verification key, so a key retired
    // elsewhere stops signing here as it does for access tokens.
    await this.ring.verificationKey(this.ring.signingKey().kid);
    const key = this.ring.signingKey();
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const head = await readableHead(tx, subject);
      if (head.ownerOrgId !== principal.orgId) throw HubException.notFound('log');
      if (head.length === 0 || !head.headHash) throw AuditException.nothingToCheckpoint();
      const id = randomUUID();
      const claims = {
        jti: id,
        sub: checkpointSubject(subject),
        org: head.ownerOrgId,
        length: head.length,
        head: head.headHash,
        hashAlg: 'sha-256' as const,
        iat: Math.floor(Date.now() / 1000),
      };
      const jws = await signCheckpoint(claims, key, this.ring.alg);
      const [row] = await tx.query<CheckpointRow>(
        `INSERT INTO log_checkpoints (id, subject_type, subject_id, org_id, length, head_hash, kid, jws, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${CHECKPOINT_COLUMNS}`,
        [id, subject.type, subject.id, head.ownerOrgId, head.length, head.headHash, key.kid, jws, principal.id],
      );
      await emitOutbox(tx, { type: 'log.checkpoint', aggregateType: subject.type, aggregateId: subject.id, payload: { checkpointId: id, length: head.length } });
      return checkpointView(row, principal.orgId);
    });
  }

  /**
   * The chain's checkpoints, oldest first, to its owner and writers and to organisations the subject is
   * released to (a shared read, so the database's grant check decides); 404 to anyone else.
   */
  listCheckpoints(principal: OrgPrincipal, subject: LogSubject) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const [head] = await tx.query('SELECT 1 FROM log_heads WHERE subject_type = $1 AND subject_id = $2', [subject.type, subject.id]);
      if (!head) throw HubException.notFound('log');
      const rows = await tx.query<CheckpointRow>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM log_checkpoints WHERE subject_type = $1 AND subject_id = $2 ORDER BY created_at, id`,
        [subject.type, subject.id],
      );
      return { items: rows.map((row) => checkpointView(row, principal.orgId)) };
    });
  }

  /** The public keys of the 'log-checkpoint' ring, retired ones included, as a JWK Set (RFC 7517). */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const rows = await this.db.run(NO_TENANT, (tx) =>
      tx.query<{ public_jwk: Record<string, unknown> }>("SELECT public_jwk FROM key_ring WHERE purpose = 'log-checkpoint' ORDER BY created_at, kid"),
    );
    return { keys: rows.map((row) => row.public_jwk) };
  }
}

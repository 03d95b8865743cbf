import type { TenantDatabase, TenantTransaction } from './tenant-database.js';

export interface OutboxEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  /** Ids only: the relay and every channel fetch what a recipient may see through the sharing policy. */
  payload?: Record<string, string | number | null>;
  /**
   * The grantee keys (`org:<id>`, `user:<id>`, `community`, `public`) that may read the object after the
   * change, so the real-time relay routes the event without re-reading the policy. Empty: not said.
   */
  grantees?: readonly string[];
}

/**
 * Writes the change's event in the change's own transaction, so an event exists exactly when the change
 * committed. The sequence is global and increasing (a bigserial); relays read it in order.
 */
export async function emitOutbox(tx: TenantTransaction, event: OutboxEvent): Promise<void> {
  const orgId = tx.context.orgId;
  if (!orgId) throw new Error('an outbox event belongs to an organisation');
  await tx.query('INSERT INTO outbox (org_id, event_type, aggregate_type, aggregate_id, payload, grantees) VALUES ($1, $2, $3, $4, $5, $6)', [
    orgId,
    event.type,
    event.aggregateType,
    event.aggregateId,
    event.payload ?? {},
    [...(event.grantees ?? [])],
  ]);
}

/** The outbox as operators see it: aggregate numbers only, never a row. */
export interface OutboxHead {
  /** The highest sequence number written (committed); 0 while the outbox is empty. */
  headSeq: number;
  /** Seconds since the newest row was written; null while the outbox is empty. */
  newestAgeSeconds: number | null;
}

/**
 * Reads the head across every organisation through `hub_outbox_head()`, a definer function that answers the two
 * numbers and nothing else, so the metrics need no tenant context and the outbox keeps its row-level security.
 */
export async function readOutboxHead(database: TenantDatabase): Promise<OutboxHead> {
  const [row] = await database.statement<{ head_seq: string | null; newest_age_seconds: number | null }>(
    'SELECT head_seq::text, newest_age_seconds FROM hub_outbox_head()',
    [],
    'hub_outbox_head',
  );
  return { headSeq: row?.head_seq ? Number(row.head_seq) : 0, newestAgeSeconds: row?.newest_age_seconds ?? null };
}

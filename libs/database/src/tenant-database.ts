import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';
import { inlineParameters, sqlLiteral } from './inline-parameters.js';
import type { TenantContext } from './tenant-context.js';
import { checkPassed, pendingCheck } from './request-check.js';

/**
 * One transaction with the tenant context applied. The settings are transaction-local
 * (`set_config(..., true)`), so a pooled connection never carries one caller's organisation to the next.
 */
export class TenantTransaction {
  constructor(
    private readonly manager: EntityManager,
    private currentContext: TenantContext,
  ) {}

  get context(): TenantContext {
    return this.currentContext;
  }

  repository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    return this.manager.getRepository(entity);
  }

  /** Always the rows, whatever the statement (TypeORM answers `[rows, count]` for UPDATE and DELETE). */
  async query<T = Record<string, unknown>>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('a tenant transaction always has its query runner');
    const result = await runner.query(sql, parameters, true);
    return result.records as T[];
  }

  /**
   * Provisioning only: the operator, having created an organisation in this transaction, writes its
   * first rows (the first admin) as that organisation. Nothing else may change the context mid-way.
   */
  async provisionAs(orgId: string, orgKind: TenantContext['orgKind']): Promise<void> {
    if (!this.currentContext.operator) throw new Error('only the platform operator provisions organisations');
    const [created] = await this.query<{ here: boolean }>(
      'SELECT xmin::text = pg_current_xact_id()::xid::text AS here FROM organisations WHERE id = $1',
      [orgId],
    );
    if (!created?.here) throw new Error('provisionAs is for an organisation created in this same transaction');
    this.currentContext = { ...this.currentContext, orgId, orgKind };
    await applyContext(this.manager, this.currentContext);
  }
}

const SET_CONTEXT = `SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true),
            set_config('hub.user_id', $3, true), set_config('hub.operator', $4, true), set_config('hub.reads', $5, true)`;

/** The context, and no writes: `read` is for reads only. */
const SET_CONTEXT_READ_ONLY = `${SET_CONTEXT}, set_config('transaction_read_only', 'on', true)`;

/**
 * A page read in its index's order. Row-level security adds its own `org_id = hub_current_org()` to a
 * statement that already names the organisation; the planner counts that selectivity twice, expects a
 * couple of rows, and then prefers reading every row of the organisation and sorting them to walking the
 * index until the page is full: 2,000 rows for a page of 50 at 1M incidents. Without sorts (for this
 * transaction only) it walks the index and stops at the page.
 */
const SET_CONTEXT_READ_ONLY_IN_INDEX_ORDER = `${SET_CONTEXT_READ_ONLY}, set_config('enable_sort', 'off', true)`;

/** What SQL PREPARE accepts of a read (not EXPLAIN, say), and how many a connection keeps at most. */
const PREPARABLE = /^\s*(SELECT|WITH)\b/i;
const PREPARED_PER_CONNECTION = 100;

/** The application role's connection pool at one moment (for the operators' metrics). */
export interface PoolStats {
  /** Connections open, busy or idle. */
  total: number;
  idle: number;
  /** Callers queued for a connection because all `max` are busy. */
  waiting: number;
  max: number;
}

export interface ReadOptions {
  /** The statement is a page in the order of an index (ORDER BY its columns, LIMIT): walk it, never sort. */
  inIndexOrder?: boolean;
}

function contextValues(context: TenantContext): string[] {
  return [context.orgId ?? '', context.orgKind ?? '', context.userId ?? '', context.operator ? 'on' : 'off', context.readsShared ? 'shared' : 'own'];
}

async function applyContext(manager: EntityManager, context: TenantContext): Promise<void> {
  await manager.query(SET_CONTEXT, contextValues(context));
}

/** The one way application code reaches tenant data: every read and write runs inside `run`. */
@Injectable()
export class TenantDatabase {
  /** Per pooled connection, the statements `read` has prepared on it, by settings and text. */
  private readonly prepared = new WeakMap<pg.PoolClient, Map<string, string>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(context: TenantContext, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      // The request's principal check, if it has not passed yet, runs first in this same transaction.
      const check = pendingCheck();
      if (check) {
        await applyContext(manager, check.context);
        check.verify(await manager.query(check.sql, check.parameters));
      }
      await applyContext(manager, context);
      if (check) checkPassed(check);
      return work(new TenantTransaction(manager, context));
    });
  }

  /**
   * One read-only statement with the tenant context applied, in one round trip and one transaction: the
   * context and the statement go to PostgreSQL as one simple-protocol message, which it runs as one implicit
   * transaction, so the settings are transaction-local exactly as in `run` and gone before the connection
   * returns to the pool; a failure rolls the whole message back. The price of one message is that values
   * travel as quoted literals (`inlineParameters`). A SELECT is also prepared once per connection (SQL
   * PREPARE in its first message, EXECUTE afterwards): planning it cost more than running it. For the
   * single-statement reads of a request.
   */
  async read<T = Record<string, unknown>>(context: TenantContext, sql: string, parameters: unknown[] = [], options: ReadOptions = {}): Promise<T[]> {
    const settings = options.inIndexOrder ? SET_CONTEXT_READ_ONLY_IN_INDEX_ORDER : SET_CONTEXT_READ_ONLY;
    const client = await this.pool().connect();
    let prepared = this.prepared.get(client);
    if (!prepared) this.prepared.set(client, (prepared = new Map()));
    const preparing: [string, string][] = [];
    // The request's principal check, if it has not passed yet, rides in the same message, under its own context.
    const check = pendingCheck();
    const message: string[] = [];
    if (check) {
      message.push(inlineParameters(SET_CONTEXT_READ_ONLY, contextValues(check.context)));
      message.push(...this.statementsOf(prepared, preparing, '', check.sql, check.parameters));
    }
    const checkResult = message.length - 1;
    message.push(inlineParameters(settings, contextValues(context)));
    // A plan is made under the settings of its first run, so the same text read with other settings is another statement.
    message.push(...this.statementsOf(prepared, preparing, settings === SET_CONTEXT_READ_ONLY ? '' : 'index-order:', sql, parameters));
    let results: pg.QueryResult[];
    try {
      results = (await client.query(message.join(';\n'))) as unknown as pg.QueryResult[];
    } catch (error) {
      // An error from PostgreSQL ended the implicit transaction and the connection is reusable, unless a
      // PREPARE in it may or may not have run; any other error leaves it unusable.
      const clean = error instanceof pg.DatabaseError && client.getTransactionStatus() === 'I' && preparing.length === 0;
      client.release(clean ? undefined : (error as Error));
      throw error;
    }
    for (const [key, name] of preparing) prepared.set(key, name);
    client.release();
    if (check) {
      check.verify(results[checkResult].rows);
      checkPassed(check);
    }
    return results[results.length - 1].rows as T[];
  }

  /** A statement as `read` sends it: prepared on this connection once (PREPARE, then EXECUTE), or inlined. */
  private statementsOf(prepared: Map<string, string>, preparing: [string, string][], keyPrefix: string, sql: string, parameters: unknown[]): string[] {
    const key = `${keyPrefix}${sql}`;
    let name = prepared.get(key) ?? preparing.find(([k]) => k === key)?.[1];
    const statements: string[] = [];
    if (!name && PREPARABLE.test(sql) && prepared.size + preparing.length < PREPARED_PER_CONNECTION) {
      // Lexed and checked in full once, when prepared: one statement, every placeholder with its value.
      inlineParameters(sql, parameters);
      name = `hub_read_${prepared.size + preparing.length + 1}`;
      preparing.push([key, name]);
      statements.push(`PREPARE ${name} AS ${sql}`);
    }
    statements.push(name ? `EXECUTE ${name}${parameters.length ? `(${parameters.map(sqlLiteral).join(', ')})` : ''}` : inlineParameters(sql, parameters));
    return statements;
  }

  /** Runs the request's principal check now if no database call has run it yet (a handler that reads nothing). */
  async passPendingCheck(): Promise<void> {
    const check = pendingCheck();
    if (check) await this.read(check.context, 'SELECT 1 AS checked');
  }

  /**
   * One statement in its own implicit transaction, with no tenant context: readiness, and proofs below the
   * API. `name` makes it a prepared statement on each connection (parsed and planned once).
   */
  async statement<T = Record<string, unknown>>(sql: string, parameters: unknown[] = [], name?: string): Promise<T[]> {
    await this.passPendingCheck();
    const { rows } = await this.pool().query({ text: sql, values: parameters, ...(name ? { name } : {}) });
    return rows as T[];
  }

  /** TypeORM's own pool of the application role's connections: `read` and `statement` share it with `run`. */
  private pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /** The one pool every read, statement and transaction of the application role draws from. */
  poolStats(): PoolStats {
    const pool = this.pool();
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
  }

  /** Readiness: the application role can reach the database. */
  async ping(): Promise<void> {
    await this.statement('SELECT 1');
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HubErrorCode, HubException, toErrorResponse } from '#common';
import { type OutboxHead, readOutboxHead, type TenantDatabase } from '#database';

/** Where operators scrape; not part of the tenant API (no OpenAPI entry, no tenant token opens it). */
export const METRICS_PATH = '/metrics';
/** The one route label of every request no route matched (unknown paths, the router's 400 and 414). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REQUEST_LABELS = ['method', 'route', 'status'] as const;
type RequestLabel = (typeof REQUEST_LABELS)[number];

/**
 * The hub's operational metrics in one registry of its own (never prom-client's global one, so two apps in one
 * process keep apart): requests by method, route template and status; the application role's pool; the outbox
 * head; and prom-client's default process metrics. Pool and outbox are read when scraped, not polled.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<RequestLabel>;
  private readonly durations: Histogram<RequestLabel>;
  /** The outbox head of the scrape under way: one read serves both outbox gauges. */
  private outboxRead: Promise<OutboxHead | null> = Promise.resolve(null);

  constructor(
    private readonly database: TenantDatabase,
    private readonly logger: Logger,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'hub_http_requests_total',
      help: 'HTTP requests answered, by method, route template (never the raw URL) and status code',
      labelNames: REQUEST_LABELS,
      registers,
    });
    this.durations = new Histogram({
      name: 'hub_http_request_duration_seconds',
      help: 'Time from receiving a request to the end of its answer, by method, route template and status code',
      labelNames: REQUEST_LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });

    const pool = (name: string, help: string, value: (stats: ReturnType<TenantDatabase['poolStats']>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'] as const,
        registers,
        collect() {
          this.set({ pool: 'app' }, value(database.poolStats()));
        },
      });
    pool('hub_db_pool_connections', 'Connections the pool holds open to PostgreSQL, busy or idle', (s) => s.total);
    pool('hub_db_pool_idle_connections', 'Open connections of the pool not in use', (s) => s.idle);
    pool('hub_db_pool_waiting_clients', 'Callers queued for a connection because every one the pool may open is busy', (s) => s.waiting);
    pool('hub_db_pool_max_connections', 'The most connections the pool opens', (s) => s.max);

    const outbox = (name: string, help: string, value: (head: OutboxHead) => number | null) => {
      const metrics = this;
      return new Gauge({
        name,
        help,
        registers,
        async collect() {
          const head = await metrics.outboxRead;
          this.set(head ? (value(head) ?? Number.NaN) : Number.NaN);
        },
      });
    };
    outbox('hub_outbox_head_seq', 'Highest sequence number written to the outbox (0 while empty; NaN when the read failed)', (h) => h.headSeq);
    outbox('hub_outbox_newest_age_seconds', 'Seconds since the newest outbox row was written (NaN while empty or when the read failed)', (h) => h.newestAgeSeconds);
  }

  /** Counts one answered request under its route template: ids in the URL never become label values. */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    const labels = {
      method: METHODS.has(request.method) ? request.method : 'OTHER',
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.durations.observe(labels, reply.elapsedTime / 1000);
  }

  /** The text exposition of every metric, the database-backed ones read now. */
  async scrape(): Promise<string> {
    this.outboxRead = readOutboxHead(this.database).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'metrics: the outbox head could not be read');
      return null;
    });
    return this.registry.metrics();
  }
}

/**
 * Collects the metrics and serves them at `GET /metrics` to the bearer of the operator's token, on the API's own
 * port: any other caller (no token, a tenant's access token, a wrong token) gets 401, and the answer never says
 * more. A route of Fastify's own, beside Nest's: the tenant guard, the OpenAPI document and the tenant matrix
 * are for the tenant API.
 */
export function installMetrics(fastify: FastifyInstance, options: { token: string; database: TenantDatabase; logger: Logger }): HubMetrics {
  const metrics = new HubMetrics(options.database, options.logger);
  const expected = digest(options.token);
  fastify.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  fastify.get(METRICS_PATH, async (request, reply) => {
    const header = request.headers.authorization;
    const given = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : '';
    if (!given || !timingSafeEqual(digest(given), expected)) {
      const refusal = new HubException(HubErrorCode.Unauthenticated, "metrics are for the hub's operators: send the metrics token as a bearer token", {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
      const { status, body, headers } = toErrorResponse(refusal, request.id, options.logger);
      return reply.status(status).headers(headers).send(body);
    }
    const text = await metrics.scrape();
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
  return metrics;
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { createRootLogger } from '#common';
import { createApp } from '#hub/create-app.js';
import { OutboxHead1765699200000 } from '../libs/database/src/migrations/1765699200000-outbox-head.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/** One sample of the text exposition: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Parses the Prometheus text format (0.0.4) as prom-client writes it; any other line fails the test. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key] = raw.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  // Several series match a partial label set: their sum (a counter's total over the labels left open).
  return found.reduce((sum, s) => sum + s.value, 0);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('operational metrics', () => {
  const token = randomBytes(32).toString('hex');
  let hub: TestHub;
  let handler: string;

  beforeAll(async () => {
    hub = await startTestHub({ HUB_METRICS_TOKEN: token });
    handler = hub.token('northbank', 'handler');
  });
  afterAll(async () => {
    await hub?.close();
  });

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    await settle();
    const res = await hub.http().get('/metrics').set(bearer(token)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    return { text: res.text, samples: parse(res.text) };
  }

  async function createIncident(): Promise<string> {
    const res = await hub.http().post('/api/v1/incidents').set(bearer(handler)).send({
      title: 'Metrics probe',
      summary: 'An incident written to move the outbox head',
      category: 'availability',
      subType: 'ddos',
      severity: 2,
      marking: 'GREEN',
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('refuses a scrape without the operator token, with a tenant token or with a wrong one, and says nothing of the metrics', async () => {
    const attempts = [
      hub.http().get('/metrics'),
      hub.http().get('/metrics').set(bearer(hub.token('operator'))),
      hub.http().get('/metrics').set(bearer(hub.token('national-csirt', 'admin'))),
      hub.http().get('/metrics').set(bearer(randomBytes(32).toString('hex'))),
      hub.http().get('/metrics').set(bearer(`${token}x`)),
      hub.http().get('/metrics').set('authorization', `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`),
      hub.http().get('/metrics').set('authorization', token),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', requestId: expect.any(String) });
      expect(res.text).not.toMatch(/hub_|process_|nodejs_/);
    }
    // Neither is the API's own prefix a way in.
    expect((await hub.http().get('/api/v1/metrics').set(bearer(token))).status).toBe(404);
  });

  it('counts requests by route template and status, exactly as many as were made, and never a raw id', async () => {
    const id = await createIncident();
    const missing = randomUUID();
    const route = '/api/v1/incidents/:id';
    const before = (await scrape()).samples;

    for (let i = 0; i < 2; i += 1) await hub.http().get(`/api/v1/incidents/${id}`).set(bearer(handler)).expect(200);
    for (let i = 0; i < 3; i += 1) await hub.http().get(`/api/v1/incidents/${missing}`).set(bearer(handler)).expect(404);
    await hub.http().get(`/api/v1/incidents/${id}`).expect(401);
    await hub.http().get(`/no/such/route/${missing}`).expect(404);
    // The router's own refusals (an over-long segment, a method no route has) carry no template either.
    await hub.http().get(`/api/v1/incidents/${'a'.repeat(8200)}`).expect(414);
    expect((await hub.http().propfind(`/api/v1/incidents/${missing}`)).status).toBeGreaterThanOrEqual(400);

    const { text, samples: after } = await scrape();
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('hub_http_requests_total', { method: 'GET', route, status: '200' })).toBe(2);
    expect(delta('hub_http_requests_total', { method: 'GET', route, status: '404' })).toBe(3);
    expect(delta('hub_http_requests_total', { method: 'GET', route, status: '401' })).toBe(1);
    expect(delta('hub_http_requests_total', { route })).toBe(6);
    expect(delta('hub_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(delta('hub_http_requests_total', { method: 'GET', route: 'unmatched', status: '414' })).toBe(1);
    expect(delta('hub_http_requests_total', { method: 'OTHER', route: 'unmatched' })).toBe(1);
    // The first scrape is counted under its own template.
    expect(delta('hub_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    // The histogram saw the same requests, with durations.
    expect(delta('hub_http_request_duration_seconds_count', { method: 'GET', route, status: '200' })).toBe(2);
    expect(delta('hub_http_request_duration_seconds_sum', { method: 'GET', route, status: '200' })).toBeGreaterThan(0);
    expect(valueOf(after, 'hub_http_request_duration_seconds_bucket', { method: 'GET', route, status: '404', le: '+Inf' })).toBe(
      valueOf(after, 'hub_http_request_duration_seconds_count', { method: 'GET', route, status: '404' }),
    );

    // No label value is an id or a concrete URL: templates, methods and status codes only.
    expect(text).not.toContain(id);
    expect(text).not.toContain(missing);
    const requestSamples = after.filter((s) => s.name.startsWith('hub_http_'));
    expect(requestSamples.length).toBeGreaterThan(0);
    for (const sample of requestSamples) {
      expect(Object.values(sample.labels).join(' ')).not.toMatch(UUID);
      expect(sample.labels.route === 'unmatched' || sample.labels.route.startsWith('/')).toBe(true);
      expect(sample.labels.status).toMatch(/^[1-5]\d\d$/);
      expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER']).toContain(sample.labels.method);
    }
  });

  it("reports the application role's pool, and prom-client's process metrics", async () => {
    const { samples } = await scrape();
    const pool = (name: string) => {
      const found = samples.filter((s) => s.name === name);
      expect(found).toEqual([{ name, labels: { pool: 'app' }, value: expect.any(Number) }]);
      return found[0].value;
    };
    const [total, idle, waiting, max] = ['connections', 'idle_connections', 'waiting_clients', 'max_connections'].map((m) => pool(`hub_db_pool_${m}`));
    expect(max).toBe(20);
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(max);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(total);
    expect(waiting).toBe(0);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(samples.some((s) => s.name === name)).toBe(true);
    }
  });

  it('moves the outbox head when a change is written, and gives the age of the newest row', async () => {
    const before = (await scrape()).samples;
    const headBefore = valueOf(before, 'hub_outbox_head_seq');
    await createIncident();
    const after = (await scrape()).samples;
    const headAfter = valueOf(after, 'hub_outbox_head_seq');
    expect(headAfter).toBeGreaterThan(headBefore);
    // What the owner, reading every organisation's rows, sees as the head.
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query("SELECT set_config('hub.outbox_head', 'on', false)");
      const [row] = (await owner.query('SELECT max(seq)::int AS head FROM outbox')).rows;
      expect(headAfter).toBe(row.head);
      // The head is the primary key read backwards, not a scan of the outbox (the few rows here would make the
      // planner sort them, so sorting is off, as for the register's EXPLAIN).
      await owner.query("SELECT set_config('enable_sort', 'off', false)");
      const plan = (await owner.query('EXPLAIN SELECT seq, created_at FROM outbox ORDER BY seq DESC LIMIT 1')).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan Backward using outbox_pkey/);
    } finally {
      await owner.end();
    }
    const age = valueOf(after, 'hub_outbox_newest_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(30);
  });

  it("gives hub_app the two numbers and no outbox row of anyone else, even with the function's setting on", async () => {
    await createIncident();
    const app = await hub.appClient();
    const head = await app.query('SELECT * FROM hub_outbox_head()');
    expect(head.fields.map((f) => f.name)).toEqual(['head_seq', 'newest_age_seconds']);
    expect(Number(head.rows[0].head_seq)).toBeGreaterThan(0);
    // The head's policy is the owner's: the application role setting the flag itself reads nothing across tenants.
    await app.query("SELECT set_config('hub.outbox_head', 'on', false)");
    expect((await app.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(0);
    await app.query("SELECT set_config('hub.org_id', $1, false)", [hub.orgId('gridpower')]);
    const rows = (await app.query('SELECT DISTINCT org_id FROM outbox')).rows;
    expect(rows.every((r) => r.org_id === hub.orgId('gridpower'))).toBe(true);
  });

  it('serves no metrics at all when no token is configured', async () => {
    const bare = await createApp({ config: { ...hub.config, metricsToken: null }, logger: createRootLogger('silent'), appUrl: hub.db.appUrl });
    try {
      for (const headers of [{}, bearer(token)]) {
        const res = await request(bare.getHttpServer()).get('/metrics').set(headers);
        expect(res.status).toBe(404);
        expect(res.text).not.toMatch(/hub_|process_/);
      }
    } finally {
      await bare.close();
    }
  });

  it('takes the outbox head away with its migration and brings it back (last: it changes the schema)', async () => {
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    const runner = { query: async (sql: string) => (await owner.query(sql)).rows } as unknown as QueryRunner;
    const app = await hub.appClient();
    try {
      const migration = new OutboxHead1765699200000();
      await migration.down(runner);
      await expect(app.query('SELECT * FROM hub_outbox_head()')).rejects.toThrow(/does not exist/);
      expect((await owner.query("SELECT count(*)::int AS n FROM pg_policies WHERE policyname = 'outbox_head_read'")).rows[0].n).toBe(0);
      // Without it a scrape still answers, the outbox gauges saying they could not be read.
      const { samples } = await scrape();
      expect(valueOf(samples, 'hub_outbox_head_seq')).toBeNaN();
      expect(samples.some((s) => s.name === 'hub_db_pool_connections')).toBe(true);
      await migration.up(runner);
      expect(Number((await app.query('SELECT head_seq FROM hub_outbox_head()')).rows[0].head_seq)).toBeGreaterThan(0);
    } finally {
      await owner.end();
    }
  });
});

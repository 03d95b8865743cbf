import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/** Hostile and malformed bodies every endpoint must answer with a 4xx and a message, never a 5xx. */
const HOSTILE_BODIES: unknown[] = [
  null,
  [],
  'a string',
  42,
  {},
  { unexpected: true },
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
  { email: { $ne: null }, password: ['x'] },
  { email: 'a'.repeat(10_000) + '@x.demo', password: 'p' },
  { name: "'; DROP TABLE users; --", slug: '../../etc/passwd', kind: 'root' },
  { roles: 'admin', version: '1; DELETE' },
  { channels: [{ kind: 'email' }, 'nope'] },
  { displayName: '\u0000', email: 'nul@x.demo' },
  { title: 'x'.repeat(301), summary: 'y'.repeat(20_001), description: 'z'.repeat(20_001), reporterName: 'r' },
  { title: 't', category: 'availability', subType: 'ddos', severity: 2, marking: 'amber' },
  { title: 't', category: 'availability', subType: 'spam', severity: 2, marking: 'AMBER' },
  { title: 't', category: 'availability', subType: 'ddos', severity: 7, marking: 'TLP:RED' },
  { phase: 'closed', reason: '', version: 0 },
  { type: 'ipv4', value: '1.2.3.999', marking: 'AMBER' },
  { type: 'sha256', value: 'abc', marking: 'RED', pap: 'WHITE' },
  { profile: 'nis2', milestone: 'early-warning', sentAt: 'yesterday' },
  { outcome: 'promote', reason: 'r', version: 1 },
  { outcome: 'escalate', reason: 'r', version: 1 },
  { version: 1, awareAt: '2026-13-45T99:00:00Z' },
  { version: 1, clockProfiles: ['sox'] },
  { recipients: [] },
  { recipients: [{ kind: 'everyone' }] },
  { recipients: [{ kind: 'organisation', id: 'not-a-uuid' }] },
  { recipients: [{ kind: 'public', id: '00000000-0000-4000-8000-000000000001' }] },
  { recipients: [{ kind: 'community' }], observables: ['x'], fields: ['password'] },
  { recipients: [{ kind: 'community' }], redact: { title: 'shred' } },
  { recipients: [{ kind: 'community' }], redact: { internalNotes: 'blank' } },
  { recipients: [{ kind: 'community' }, { kind: 'community' }] },
  { recipients: [{ kind: 'user', id: '00000000-0000-4000-8000-000000000001' }] },
  { recipients: [{ kind: 'community' }], observables: ['00000000-0000-4000-8000-000000000001'] },
  { version: 1, marking: 'WHITE' },
];

describe('bad input on every endpoint', () => {
  let hub: TestHub;
  let endpoints: { method: 'post' | 'patch' | 'put'; path: string; token: string }[];

  beforeAll(async () => {
    hub = await startTestHub();
    const handler = hub.token('northbank', 'handler');
    const incident = await hub.http().post('/api/v1/incidents').set(bearer(handler))
      .send({ title: 'Target', category: 'availability', subType: 'ddos', severity: 2, marking: 'AMBER', clockProfiles: ['nis2'] });
    const observable = await hub.http().post(`/api/v1/incidents/${incident.body.id}/observables`).set(bearer(handler))
      .send({ type: 'ipv4', value: '192.0.2.1', marking: 'AMBER' });
    const report = await hub.http().post('/api/v1/event-reports').set(bearer(handler)).send({ reporterName: 'r', description: 'd' });
    const users = await hub.http().get('/api/v1/users').set(bearer(hub.token('northbank', 'admin')));
    const contacts = await hub.http().get(`/api/v1/organisations/${hub.orgId('northbank')}/points-of-contact`).set(bearer(hub.token('northbank', 'admin')));
    endpoints = [
      { method: 'post', path: '/api/v1/auth/login', token: '' },
      { method: 'post', path: '/api/v1/auth/refresh', token: '' },
      { method: 'post', path: '/api/v1/invitations', token: hub.token('northbank', 'admin') },
      { method: 'post', path: '/api/v1/auth/invitations/accept', token: '' },
      { method: 'patch', path: `/api/v1/users/${users.body.items[1].id}`, token: hub.token('northbank', 'admin') },
      { method: 'post', path: '/api/v1/points-of-contact', token: hub.token('northbank', 'admin') },
      { method: 'put', path: `/api/v1/points-of-contact/${contacts.body.items[0].id}`, token: hub.token('northbank', 'admin') },
      { method: 'post', path: '/api/v1/api-keys', token: hub.token('northbank', 'admin') },
      { method: 'post', path: '/api/v1/organisations', token: hub.token('operator') },
      { method: 'post', path: '/api/v1/incidents', token: handler },
      { method: 'patch', path: `/api/v1/incidents/${incident.body.id}`, token: handler },
      { method: 'post', path: `/api/v1/incidents/${incident.body.id}/phase`, token: handler },
      { method: 'put', path: `/api/v1/incidents/${incident.body.id}/report`, token: handler },
      { method: 'post', path: `/api/v1/incidents/${incident.body.id}/observables`, token: handler },
      { method: 'patch', path: `/api/v1/incidents/${incident.body.id}/observables/${observable.body.id}`, token: handler },
      { method: 'post', path: `/api/v1/incidents/${incident.body.id}/releases`, token: handler },
      { method: 'post', path: `/api/v1/incidents/${incident.body.id}/clocks/submissions`, token: handler },
      { method: 'post', path: '/api/v1/event-reports', token: handler },
      { method: 'post', path: `/api/v1/event-reports/${report.body.id}/triage`, token: handler },
    ];
  });
  afterAll(async () => {
    await hub.close();
  });

  async function counts() {
    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.operator', 'on', true)", [hub.orgId('northbank')]);
    const row = await client.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM invitations)::int AS invitations, (SELECT count(*) FROM points_of_contact)::int AS contacts,
      (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM organisations)::int AS organisations,
      (SELECT count(*) FROM incidents)::int AS incidents, (SELECT count(*) FROM observables)::int AS observables,
      (SELECT count(*) FROM event_reports)::int AS reports, (SELECT count(*) FROM management_log)::int AS log,
      (SELECT count(*) FROM outbox)::int AS outbox, (SELECT max(version) FROM incidents)::int AS version,
      (SELECT count(*) FROM releases)::int AS releases, (SELECT count(*) FROM access)::int AS access,
      (SELECT max(version) FROM observables)::int AS observable_version`);
    await client.query('ROLLBACK');
    return row.rows[0];
  }

  it('answers each hostile body with a 4xx and a message, and writes nothing', async () => {
    const before = await counts();
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      for (const body of HOSTILE_BODIES) {
        const req = hub.http()[endpoint.method](endpoint.path).set('content-type', 'application/json');
        if (endpoint.token) req.set(bearer(endpoint.token));
        const res = await req.send(JSON.stringify(body));
        if (res.status < 400 || res.status >= 500 || typeof res.body.message !== 'string' || res.body.message.length === 0) {
          failures.push(`${endpoint.method.toUpperCase()} ${endpoint.path} ${JSON.stringify(body).slice(0, 60)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('names the field and the rule that failed', async () => {
    const res = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
      .send({ email: 'not-an-email', displayName: 'X', roles: ['superuser'], extra: 1 }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        { field: 'extra', rule: 'unknownField', message: 'extra is not a field this endpoint accepts' },
        { field: 'email', rule: 'isEmail', message: 'email must be an email address' },
        { field: 'roles', rule: 'isIn', message: 'roles may hold only admin, handler, viewer or coordinator' },
      ]),
    );
    const accept = await hub.http().post('/api/v1/auth/invitations/accept').send({ token: 'hubi.x', password: 'short' }).expect(400);
    expect(accept.body.details).toEqual(
      expect.arrayContaining([{ field: 'password', rule: 'minLength', message: 'password must be at least 12 characters' }]),
    );
  });

  it('names nested fields by their path', async () => {
    const res = await hub.http().post('/api/v1/points-of-contact').set(bearer(hub.token('northbank', 'admin')))
      .send({ name: 'N', channels: [{ kind: 'email', value: 'a@b.demo' }, { kind: 'carrier-pigeon', value: 'x' }] }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'channels.1.kind', rule: 'isIn' })]);
  });

  it('refuses NUL characters, which PostgreSQL text cannot hold, naming the field', async () => {
    const res = await hub.http().post('/api/v1/invitations').set(bearer(hub.token('northbank', 'admin')))
      .send({ email: 'nul@northbank.demo', displayName: 'a\u0000b', roles: ['viewer'] }).expect(400);
    expect(res.body.details[0]).toMatchObject({ field: 'displayName', rule: 'noNulCharacter' });
    const nested = await hub.http().post('/api/v1/points-of-contact').set(bearer(hub.token('northbank', 'admin')))
      .send({ name: 'N', channels: [{ kind: 'email', value: 'a@b.demo' }, { kind: 'phone', value: '1\u00002' }] }).expect(400);
    expect(nested.body.details[0]).toMatchObject({ field: 'channels.1.value', rule: 'noNulCharacter' });
  });

  it('refuses cursors that decode to a position the list cannot use', async () => {
    const forge = (key: string) => Buffer.from(JSON.stringify([key, '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f'])).toString('base64url');
    await hub.http().get(`/api/v1/api-keys?cursor=${forge('not a time')}`).set(bearer(hub.token('northbank', 'admin'))).expect(400);
    await hub.http().get(`/api/v1/users?cursor=${forge('a\u0000')}`).set(bearer(hub.token('northbank', 'admin'))).expect(400);
    await hub.http().get(`/api/v1/organisations?cursor=${forge('x\u0000')}`).set(bearer(hub.token('northbank', 'admin'))).expect(400);
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await hub.http().post('/api/v1/auth/login').set('content-type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.demo', password: 'x'.repeat(2_000_000) })).expect(413);
    expect(res.body.message).toBe('request body is larger than this hub accepts');
  });

  it('refuses broken JSON with 400', async () => {
    const res = await hub.http().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":').expect(400);
    expect(res.body.message).toMatch(/JSON/);
  });

  it('answers a malformed id like an unknown one: 404', async () => {
    await hub.http().get('/api/v1/users/not-a-uuid').set(bearer(hub.token('northbank', 'admin'))).expect(404);
    await hub.http().get("/api/v1/organisations/1' OR '1'='1").set(bearer(hub.token('northbank', 'admin'))).expect(404);
  });

  it('answers an unknown route with 404 and an unexpected failure never with a stack trace', async () => {
    const res = await hub.http().get('/api/v1/nothing-here').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('carries a request id in and out', async () => {
    const res = await hub.http().get('/health/live').set('x-request-id', 'trace-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
    const bad = await hub.http().get('/health/live').set('x-request-id', 'bad id with spaces').expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operations endpoints', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers liveness and readiness (the database reached as the application role)', async () => {
    await hub.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await hub.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('serves the OpenAPI document with the v1 routes and the rendered docs', async () => {
    const doc = await hub.http().get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/me', '/api/v1/organisations', '/api/v1/users']),
    );
    const html = await hub.http().get('/api/docs').expect(200);
    expect(html.text).toContain('swagger');
  });
});

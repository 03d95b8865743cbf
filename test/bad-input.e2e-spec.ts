import fc from 'fast-check';
import { parseInstant } from '#common';
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
  // Text PostgreSQL would store differently from what the hub hashed: lone UTF-16 surrogates, in values and keys.
  { version: 1, reason: 'escalated \ud800' },
  { phase: 'respond', reason: '\udc00', version: 1 },
  { title: 't', category: 'availability', subType: 'ddos', severity: 2, marking: 'AMBER', reporter: { name: 'a\ud800b' } },
  { summary: '\ud83d', lessonsLearned: 'l', version: 1 },
  { reporterName: 'r', description: 'd', details: { ['\udfff']: 1 } },
  // Dates JavaScript accepts and PostgreSQL refuses, or that are not RFC 3339 instants.
  ...['2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '2026-W05', '2026', '2026-01'].flatMap((d) => [
    { version: 1, awareAt: d },
    { title: 't', category: 'availability', subType: 'ddos', severity: 2, marking: 'AMBER', detectedAt: d },
    { reporterName: 'r', description: 'd', observedAt: d },
    { profile: 'nis2', milestone: 'early-warning', sentAt: d },
    { type: 'ipv4', value: '192.0.2.7', marking: 'AMBER', firstSeen: d },
  ]),
  { name: 'k', roles: ['viewer'], expiresAt: '2027-02-30T00:00:00Z' },
  { type: 'ipv6', value: 'fe80::1%eth0', marking: 'AMBER' },
];

describe('bad input on every endpoint', () => {
  let hub: TestHub;
  let endpoints: { method: 'post' | 'patch' | 'put'; path: string; token: string }[];
  let agreement: { id: string; rows: () => Promise<unknown>; before: unknown };

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
    // Coordination agreements: one published by the coordinator to northbank, whose admin may accept it.
    const coordinator = hub.token('national-csirt', 'coordinator');
    const published = await hub.http().post('/api/v1/agreements').set(bearer(coordinator))
      .send({ title: 'Target', text: 't', parties: [hub.orgId('northbank')], defaultMarking: 'AMBER', validFrom: '2026-01-01T00:00:00Z' });
    endpoints.push(
      { method: 'post', path: '/api/v1/agreements', token: coordinator },
      { method: 'post', path: `/api/v1/agreements/${published.body.id}/versions`, token: coordinator },
      { method: 'post', path: `/api/v1/agreements/${published.body.id}/acceptances`, token: hub.token('northbank', 'admin') },
    );
    const rows = async () => {
      const client = await hub.appClient();
      await client.query('BEGIN');
      await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('national-csirt')]);
      const row = await client.query(`SELECT (SELECT count(*) FROM agreements)::int AS agreements, (SELECT count(*) FROM agreement_versions)::int AS versions,
        (SELECT count(*) FROM agreement_acceptances)::int AS acceptances, (SELECT max(current_version) FROM agreements)::int AS version`);
      await client.query('ROLLBACK');
      return row.rows[0];
    };
    agreement = { id: published.body.id, rows, before: await rows() };
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

  it('refuses lone UTF-16 surrogates in any body or query string, naming the field, before anything is written', async () => {
    const before = await counts();
    const admin = bearer(hub.token('northbank', 'admin'));
    const handler = bearer(hub.token('northbank', 'handler'));
    const incident = (await hub.http().get('/api/v1/incidents').set(handler).expect(200)).body.items[0];
    const cases: [PromiseLike<{ status: number; body: { message: string; details: unknown[] } }>, string][] = [
      [hub.http().patch(`/api/v1/incidents/${incident.id}`).set(handler).send({ version: incident.version, summary: 's', reason: 'why \ud800' }), 'reason'],
      [hub.http().post('/api/v1/incidents').set(handler).send({ title: 't', category: 'availability', subType: 'ddos', severity: 2, marking: 'AMBER', reporter: { name: '\udc00' } }), 'reporter.name'],
      [hub.http().put(`/api/v1/incidents/${incident.id}/report`).set(handler).send({ version: incident.version, summary: 'a\ud83d', lessonsLearned: 'l' }), 'summary'],
      [hub.http().post('/api/v1/points-of-contact').set(admin).send({ name: 'N', channels: [{ kind: 'email', value: 'a@b.demo' }, { kind: 'phone', value: '\udbff' }] }), 'channels.1.value'],
    ];
    for (const [request, field] of cases) {
      const res = await request;
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.details[0]).toMatchObject({ field, rule: 'wellFormedUnicode' });
      expect(res.body.message).toMatch(/lone UTF-16 surrogate/);
    }
    // A URL carries bytes: the encoded surrogate is not UTF-8, and whatever the parser makes of it is no 5xx.
    const query = await hub.http().get('/api/v1/incidents?q=%ED%A0%80&updatedFrom=%ED%A0%80').set(handler);
    expect(query.status).toBe(400);
    expect(query.body.details[0]).toMatchObject({ field: 'updatedFrom' });
    expect(await counts()).toEqual(before);
  });

  it('refuses the IPv6 zone id that made observables answer 500', async () => {
    const handler = bearer(hub.token('northbank', 'handler'));
    const incident = (await hub.http().get('/api/v1/incidents').set(handler).expect(200)).body.items[0];
    const res = await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(handler).send({ type: 'ipv6', value: 'fe80::1%eth0', marking: 'AMBER' }).expect(400);
    expect(res.body.details[0]).toMatchObject({ field: 'value', rule: 'validipv6' });
  });

  it('refuses dates that are not RFC 3339 instants, in bodies and queries, naming the field', async () => {
    const handler = bearer(hub.token('northbank', 'handler'));
    for (const value of ['2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00+16:00', '2026-W05', '2026', '2026-01']) {
      for (const field of ['updatedFrom', 'updatedTo', 'awareFrom', 'awareTo']) {
        for (const path of ['/api/v1/incidents', '/api/v1/shared/incidents']) {
          const res = await hub.http().get(path).query({ [field]: value }).set(handler);
          expect({ path, field, value, status: res.status }).toEqual({ path, field, value, status: 400 });
          expect(res.body.details[0]).toMatchObject({ field, rule: 'isInstant' });
        }
      }
    }
    const key = await hub.http().post('/api/v1/api-keys').set(bearer(hub.token('northbank', 'admin'))).send({ name: 'k', roles: ['viewer'], expiresAt: '2027-02-30T00:00:00Z' }).expect(400);
    expect(key.body.details[0]).toMatchObject({ field: 'expiresAt', rule: 'isInstant' });
  });

  it('answers any string in a date field with a 4xx, naming the field exactly when it is not an instant (fast-check)', async () => {
    const handler = bearer(hub.token('northbank', 'handler'));
    const admin = bearer(hub.token('northbank', 'admin'));
    const incident = (await hub.http().get('/api/v1/incidents').set(handler).expect(200)).body.items[0];
    const before = await counts();
    const dateLike = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    await fc.assert(
      fc.asyncProperty(dateLike, async (value) => {
        const valid = parseInstant(value) !== null;
        const probes = [
          // A stale version: a valid date gets past validation to a 409 and writes nothing.
          { res: await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(handler).send({ version: 999_999, awareAt: value }), field: 'awareAt', ok: 409 },
          { res: await hub.http().post('/api/v1/api-keys').set(admin).send({ name: 'k', roles: ['root'], expiresAt: value }), field: 'expiresAt', ok: 400 },
          { res: await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(handler).send({ type: 'nope', value: 'x', marking: 'AMBER', lastSeen: value }), field: 'lastSeen', ok: 400 },
          { res: await hub.http().post('/api/v1/event-reports').set(handler).send({ description: 'd', observedAt: value }), field: 'observedAt', ok: 400 },
          { res: await hub.http().get('/api/v1/incidents').query({ updatedFrom: value, limit: 1 }).set(handler), field: 'updatedFrom', ok: 200 },
          { res: await hub.http().get('/api/v1/shared/incidents').query({ awareTo: value, limit: 1 }).set(handler), field: 'awareTo', ok: 200 },
        ];
        for (const { res, field, ok } of probes) {
          const named = (res.body.details ?? []).some((d: { field: string }) => d.field === field);
          expect({ field, value, status: res.status, named }).toEqual({ field, value, status: valid ? ok : 400, named: !valid });
        }
      }),
      { numRuns: Number(process.env.BAD_INPUT_RUNS ?? 60) },
    );
    expect(await counts()).toEqual(before);
  });

  it('answers any forged cursor on every time-ordered list with a 400 or a page, never a 5xx (fast-check)', async () => {
    const handler = bearer(hub.token('northbank', 'handler'));
    const admin = bearer(hub.token('northbank', 'admin'));
    const incident = (await hub.http().get('/api/v1/incidents').set(handler).expect(200)).body.items[0];
    const lists: [string, ReturnType<typeof bearer>][] = [
      ['/api/v1/incidents', handler],
      ['/api/v1/shared/incidents', handler],
      ['/api/v1/event-reports', handler],
      [`/api/v1/incidents/${incident.id}/releases`, handler],
      ['/api/v1/api-keys', admin],
      ['/api/v1/users', admin],
      ['/api/v1/organisations', admin],
    ];
    const forged = (key: string) => Buffer.from(JSON.stringify([key, '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f'])).toString('base64url');
    const cursor = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }).map(forged),
      fc.constantFrom('2026-02-30 10:00:00+00', '0000-01-01 00:00:00+00', '2026-11-23 08:00:00+16', '2026-W05', '2026').map(forged),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/).map(forged),
    );
    await fc.assert(
      fc.asyncProperty(cursor, async (value) => {
        for (const [path, auth] of lists) {
          const res = await hub.http().get(path).query({ cursor: value }).set(auth);
          expect({ path, value, ok: res.status === 200 || res.status === 400 }).toEqual({ path, value, ok: true });
          if (res.status === 400) expect(res.body.details[0]).toMatchObject({ field: 'cursor' });
        }
      }),
      { numRuns: Number(process.env.BAD_INPUT_RUNS ?? 60) },
    );
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

  it('writes no agreement, version or acceptance for any hostile body, and pages agreements only by cursors it issued', async () => {
    await hub.http().get(`/api/v1/agreements/${agreement.id}`).set(bearer(hub.token('northbank', 'admin'))).expect(200);
    expect(await agreement.rows()).toEqual(agreement.before);
    const forged = (key: string) => Buffer.from(JSON.stringify([key, '8d3c2a4e-1f0b-4c1d-9a7e-2b5f6c7d8e9f'])).toString('base64url');
    const lists: [string, string][] = [
      ['/api/v1/agreements', hub.token('national-csirt', 'coordinator')],
      ['/api/v1/agreements', hub.token('northbank', 'viewer')],
      [`/api/v1/agreements/${agreement.id}/acceptances`, hub.token('northbank', 'admin')],
    ];
    for (const value of ['bogus!', forged('not a time'), forged('2026-02-30 10:00:00+00'), forged('a\u0000'), 'x'.repeat(600)]) {
      for (const [path, token] of lists) {
        const res = await hub.http().get(path).query({ cursor: value }).set(bearer(token));
        expect({ path, value, status: res.status }).toEqual({ path, value, status: 400 });
        expect(res.body.details[0]).toMatchObject({ field: 'cursor' });
      }
    }
    await hub.http().get('/api/v1/agreements/not-a-uuid').set(bearer(hub.token('northbank', 'admin'))).expect(404);
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

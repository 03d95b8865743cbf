import { execFile } from 'node:child_process';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { appendLog, entryHash, grantLogWriter, LogService, type LogSubject, openLog, readLog, revokeLogWriter, verifyLog } from '#audit';
import { KeyRings, type OrgPrincipal, type Principal } from '#auth';
import { HubException } from '#common';
import { organisationContext, TenantDatabase, type TenantTransaction } from '#database';
import { LogChains1764489600000 } from '../libs/database/src/migrations/1764489600000-log-chains.js';
import { createTestDatabase } from './support/test-database.js';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

const incidentBody = { title: 'DDoS on the payment front end', category: 'availability', subType: 'ddos', severity: 3, marking: 'AMBER' };

/** A demo user as the library sees it, for calls below the HTTP API (the joint-incident services make the same calls). */
function principalOf(hub: TestHub, slug: DemoOrgSlug, role: 'admin' | 'handler' | 'coordinator'): OrgPrincipal {
  return {
    kind: 'user',
    id: hub.userId(slug, role),
    orgId: hub.orgId(slug),
    orgKind: slug === 'national-csirt' ? 'coordinator' : 'member',
    roles: [role],
    email: `${role}@${slug}.demo`,
    sessionId: randomUUID(),
  };
}

function asOrg<T>(hub: TestHub, principal: OrgPrincipal, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
  return hub.app.get(TenantDatabase).run(organisationContext(principal.orgId, principal.id), work);
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HubException) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a management log chain per subject, written across organisations', () => {
  let hub: TestHub;
  let coordinator: OrgPrincipal;
  let participant: OrgPrincipal;
  let outsider: OrgPrincipal;
  const joint: LogSubject = { type: 'joint_incident', id: randomUUID() };

  beforeAll(async () => {
    hub = await startTestHub();
    coordinator = principalOf(hub, 'national-csirt', 'coordinator');
    participant = principalOf(hub, 'northbank', 'handler');
    outsider = principalOf(hub, 'gridpower', 'handler');
  });
  afterAll(async () => {
    await hub.close();
  });

  it("lets the owner open a chain with its first append, and refuses everyone else until the owner lists them as writers", async () => {
    const first = await asOrg(hub, coordinator, (tx) => appendLog(tx, coordinator, joint, { action: 'joint_incident.opened', details: { phase: 'detect_report' } }));
    expect(first).toMatchObject({ seq: 1, prevHash: null, actorId: coordinator.id, actorOrgId: null });
    expect(await refusal(asOrg(hub, participant, (tx) => appendLog(tx, participant, joint, { action: 'participant.answered' })))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await asOrg(hub, participant, (tx) => readLog(tx, joint))).toEqual([]);
    expect(await refusal(asOrg(hub, participant, (tx) => verifyLog(tx, joint)))).toMatchObject({ status: 404 });
    // Only the owner keeps the list.
    expect(await refusal(asOrg(hub, participant, (tx) => grantLogWriter(tx, joint, participant.orgId)))).toMatchObject({ status: 404 });

    await asOrg(hub, coordinator, (tx) => grantLogWriter(tx, joint, participant.orgId));
    await asOrg(hub, coordinator, (tx) => grantLogWriter(tx, joint, participant.orgId)); // again: no change
    const answer = await asOrg(hub, participant, (tx) => appendLog(tx, participant, joint, { action: 'participant.answered', reason: 'we see it too' }));
    expect(answer).toMatchObject({ seq: 2, prevHash: first.hash, actorId: participant.id, actorOrgId: participant.orgId });
    // A writer cannot pass the right on.
    expect(await refusal(asOrg(hub, participant, (tx) => grantLogWriter(tx, joint, outsider.orgId)))).toMatchObject({ status: 404 });

    for (const reader of [coordinator, participant]) {
      const entries = await asOrg(hub, reader, (tx) => readLog(tx, joint));
      expect(entries.map((e) => [e.seq, e.action, e.actorOrgId])).toEqual([
        [1, 'joint_incident.opened', null],
        [2, 'participant.answered', participant.orgId],
      ]);
      expect(await asOrg(hub, reader, (tx) => verifyLog(tx, joint))).toEqual({ valid: true, entries: 2, firstBroken: null, breaks: [] });
    }
    expect(await asOrg(hub, outsider, (tx) => readLog(tx, joint))).toEqual([]);
    expect(await refusal(asOrg(hub, outsider, (tx) => verifyLog(tx, joint)))).toMatchObject({ status: 404 });

    // Stored under the chain's owner, whoever appended.
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query("SELECT set_config('hub.org_id', $1, true)", [coordinator.orgId]);
      const rows = await owner.query('SELECT seq, org_id, actor_org_id, incident_id FROM management_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY seq', [
        joint.type,
        joint.id,
      ]);
      expect(rows.rows).toEqual([
        { seq: 1, org_id: coordinator.orgId, actor_org_id: null, incident_id: null },
        { seq: 2, org_id: coordinator.orgId, actor_org_id: participant.orgId, incident_id: null },
      ]);
      await owner.query('ROLLBACK');
    } finally {
      await owner.end();
    }

    await asOrg(hub, coordinator, (tx) => revokeLogWriter(tx, joint, participant.orgId));
    expect(await refusal(asOrg(hub, participant, (tx) => appendLog(tx, participant, joint, { action: 'participant.answered' })))).toMatchObject({ status: 404 });
    expect(await asOrg(hub, participant, (tx) => readLog(tx, joint))).toEqual([]);
    // What the writer appended stays in the chain.
    expect(await asOrg(hub, coordinator, (tx) => verifyLog(tx, joint))).toMatchObject({ valid: true, entries: 2 });
  });

  it('keeps one chain in order when the owner and a writer append at the same time', async () => {
    const subject: LogSubject = { type: 'agreement', id: randomUUID() };
    await asOrg(hub, coordinator, async (tx) => {
      await openLog(tx, subject);
      await grantLogWriter(tx, subject, participant.orgId);
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const who = i % 2 === 0 ? coordinator : participant;
        return asOrg(hub, who, (tx) => appendLog(tx, who, subject, { action: 'agreement.accepted', details: { i } }));
      }),
    );
    const entries = await asOrg(hub, participant, (tx) => readLog(tx, subject));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(entries.filter((e) => e.actorOrgId === participant.orgId)).toHaveLength(6);
    expect(await asOrg(hub, coordinator, (tx) => verifyLog(tx, subject))).toMatchObject({ valid: true, entries: 12 });
  });

  it("keeps an incident's chain whole under concurrent changes that log from different paths", async () => {
    const token = hub.token('northbank', 'handler');
    const incident = (await hub.http().post('/api/v1/incidents').set(bearer(token)).send(incidentBody).expect(201)).body;
    const subject: LogSubject = { type: 'incident', id: incident.id };
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(token)).send({ type: 'domain', value: `c2-${i}.example`, marking: 'AMBER' }).expect(201),
      ),
      asOrg(hub, participant, (tx) => appendLog(tx, participant, subject, { action: 'note.added' })),
      hub.http().post(`/api/v1/incidents/${incident.id}/phase`).set(bearer(token)).send({ phase: 'assess_decide', reason: 'triaged', version: 1 }),
    ]);
    const verdict = (await hub.http().get(`/api/v1/incidents/${incident.id}/log/verify`).set(bearer(token)).expect(200)).body;
    expect(verdict).toEqual({ valid: true, entries: 9, firstBroken: null, breaks: [] });
    expect((await hub.http().get(`/api/v1/incidents/${incident.id}`).set(bearer(token)).expect(200)).body.logLength).toBe(9);
  });

  it("lets a subject's own table name the owner of its chain, so no one else opens it first", async () => {
    const subject: LogSubject = { type: 'agreement', id: randomUUID() };
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      // What the agreements migration does, for one subject here.
      await owner.query(
        `CREATE OR REPLACE FUNCTION hub_log_subject_owner(p_type text, p_subject uuid) RETURNS uuid
           LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
           SELECT CASE WHEN p_type = 'agreement' AND p_subject = '${subject.id}' THEN '${coordinator.orgId}'::uuid END $$`,
      );
      expect(await refusal(asOrg(hub, participant, (tx) => appendLog(tx, participant, subject, { action: 'agreement.accepted' })))).toMatchObject({ status: 404 });
      expect(await refusal(asOrg(hub, participant, (tx) => openLog(tx, subject)))).toMatchObject({ status: 404 });
      expect(await asOrg(hub, coordinator, (tx) => openLog(tx, subject))).toMatchObject({ ownerOrgId: coordinator.orgId, length: 0, headHash: null });
      // Other subjects still open with their first appender.
      const other: LogSubject = { type: 'agreement', id: randomUUID() };
      expect(await asOrg(hub, participant, (tx) => openLog(tx, other))).toMatchObject({ ownerOrgId: participant.orgId });
    } finally {
      await owner.query('CREATE OR REPLACE FUNCTION hub_log_subject_owner(p_type text, p_subject uuid) RETURNS uuid LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$ SELECT NULL::uuid $$');
      await owner.end();
    }
  });

  it("takes no writers on an incident's chain, and no writer that is not an organisation", async () => {
    const incident = (await hub.http().post('/api/v1/incidents').set(bearer(hub.token('northbank', 'handler'))).send(incidentBody).expect(201)).body;
    expect(await refusal(asOrg(hub, participant, (tx) => grantLogWriter(tx, { type: 'incident', id: incident.id }, coordinator.orgId)))).toEqual({
      status: 422,
      code: 'LOG_WRITERS_NOT_ON_INCIDENTS',
    });
    // Nor may anyone open the chain of an incident that is not theirs.
    expect(await refusal(asOrg(hub, outsider, (tx) => appendLog(tx, outsider, { type: 'incident', id: incident.id }, { action: 'x' })))).toMatchObject({ status: 404 });
    expect(await refusal(asOrg(hub, outsider, (tx) => appendLog(tx, outsider, { type: 'incident', id: randomUUID() }, { action: 'x' })))).toMatchObject({ status: 404 });
    const subject: LogSubject = { type: 'joint_incident', id: randomUUID() };
    expect(await refusal(asOrg(hub, coordinator, (tx) => grantLogWriter(tx, subject, randomUUID())))).toEqual({ status: 422, code: 'LOG_WRITER_UNKNOWN_ORGANISATION' });
  });

  it('gives the application role no way around the functions: no insert, no update, no forged head or organisation', async () => {
    const subject: LogSubject = { type: 'joint_incident', id: randomUUID() };
    const first = await asOrg(hub, coordinator, async (tx) => {
      await grantLogWriter(tx, subject, participant.orgId);
      return appendLog(tx, coordinator, subject, { action: 'joint_incident.opened' });
    });
    const app = await hub.appClient();
    const inContext = async (orgId: string, sql: string, params: unknown[]) => {
      await app.query('BEGIN');
      try {
        await app.query("SELECT set_config('hub.org_id', $1, true)", [orgId]);
        return await app.query(sql, params);
      } finally {
        await app.query('ROLLBACK');
      }
    };
    await expect(
      inContext(coordinator.orgId, `INSERT INTO management_log (org_id, subject_type, subject_id, seq, at, actor_kind, action, hash)
        VALUES ($1, 'joint_incident', $2, 2, now(), 'user', 'forged', 'x')`, [coordinator.orgId, subject.id]),
    ).rejects.toThrow(/permission denied/);
    await expect(inContext(coordinator.orgId, 'UPDATE log_heads SET length = 0 WHERE subject_id = $1', [subject.id])).rejects.toThrow(/permission denied/);
    await expect(inContext(coordinator.orgId, 'DELETE FROM log_writers WHERE subject_id = $1 AND org_id = $2 RETURNING 1', [subject.id, participant.orgId])).resolves.toMatchObject({ rowCount: 1 });
    await expect(inContext(participant.orgId, 'DELETE FROM log_writers WHERE subject_id = $1 RETURNING 1', [subject.id])).resolves.toMatchObject({ rowCount: 0 });

    const append = (orgId: string, seq: number, prev: string | null, actorOrg: string | null) =>
      inContext(orgId, "SELECT * FROM hub_log_append($1, $2, $3, now(), NULL, 'user', $4, 'forged', '', '{}', $5, $6)", [
        subject.type,
        subject.id,
        seq,
        actorOrg,
        prev,
        'f'.repeat(64),
      ]);
    await expect(append(coordinator.orgId, 3, first.hash, null)).rejects.toThrow(/does not follow the head/);
    await expect(append(coordinator.orgId, 2, 'e'.repeat(64), null)).rejects.toThrow(/does not follow the head/);
    await expect(append(participant.orgId, 2, first.hash, coordinator.orgId)).rejects.toThrow(/another organisation/);
    await expect(append(participant.orgId, 2, first.hash, null)).rejects.toThrow(/another organisation/);
    await expect(append(outsider.orgId, 2, first.hash, outsider.orgId)).rejects.toThrow(/no management log/);
    await expect(append(coordinator.orgId, 2, first.hash, null)).resolves.toMatchObject({ rowCount: 1 });
  });

  it('verifies a joint incident chain with the CLI, for the owner and for a writer', async () => {
    const subject: LogSubject = { type: 'joint_incident', id: randomUUID() };
    await asOrg(hub, coordinator, async (tx) => {
      await appendLog(tx, coordinator, subject, { action: 'joint_incident.opened' });
      await grantLogWriter(tx, subject, participant.orgId);
    });
    await asOrg(hub, participant, (tx) => appendLog(tx, participant, subject, { action: 'participant.answered' }));
    const cli = async (...args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, ['dist/apps/cli/src/main.js', 'log:verify', ...args], {
          env: { ...process.env, DATABASE_URL: hub.db.appUrl, LOG_LEVEL: 'silent' },
        });
        return { code: 0, out: stdout };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, out: failed.stdout + failed.stderr };
      }
    };
    for (const org of [coordinator.orgId, participant.orgId]) {
      const run = await cli('--org', org, '--subject', 'joint_incident', '--id', subject.id);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toEqual({ valid: true, entries: 2, firstBroken: null, breaks: [] });
    }
    expect(await cli('--org', outsider.orgId, '--subject', 'joint_incident', '--id', subject.id)).toMatchObject({ code: 2, out: expect.stringContaining('no joint_incident') });
    expect(await cli('--org', outsider.orgId, '--subject', 'task', '--id', subject.id)).toMatchObject({ code: 2, out: expect.stringContaining('--subject must be one of') });
    expect(await cli('--org', coordinator.orgId, '--subject', 'joint_incident', '--id', 'nope')).toMatchObject({ code: 2, out: expect.stringContaining('UUIDs') });
  });
});

describe('signed checkpoints of a chain head', () => {
  let hub: TestHub;
  let incidentId: string;
  const handler = () => hub.token('northbank', 'handler');
  type Jwk = { kid: string; kty: string; crv: string; x: string; d?: string };

  beforeAll(async () => {
    hub = await startTestHub();
    incidentId = (await hub.http().post('/api/v1/incidents').set(bearer(handler())).send(incidentBody).expect(201)).body.id;
    await hub.http().post(`/api/v1/incidents/${incidentId}/phase`).set(bearer(handler())).send({ phase: 'assess_decide', reason: 'triaged', version: 1 }).expect(200);
  });
  afterAll(async () => {
    await hub.close();
  });

  async function jwks(): Promise<Jwk[]> {
    const res = await hub.http().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    return res.body.keys;
  }

  /** Checks a compact JWS the way a partner without our code would: the JWK Set and node:crypto, nothing else. */
  async function verifyWithJwks(jws: string): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
    const [h, p, s] = jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const jwk = (await jwks()).find((k) => k.kid === header.kid);
    if (!jwk) throw new Error(`no key ${header.kid} in the JWK Set`);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    return { header, payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) };
  }

  it('signs the current head for an editor of the owner, verifiable with the published key alone', async () => {
    const res = await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(handler())).expect(201);
    const log = (await hub.http().get(`/api/v1/incidents/${incidentId}/log`).set(bearer(handler())).expect(200)).body.items;
    expect(res.body).toMatchObject({
      subject: { type: 'incident', id: incidentId },
      orgId: hub.orgId('northbank'),
      length: 2,
      headHash: log[1].hash,
      createdBy: hub.userId('northbank', 'handler'),
    });
    const { header, payload } = await verifyWithJwks(res.body.jws);
    expect(header).toEqual({ alg: 'EdDSA', kid: res.body.kid, typ: 'hub-log-checkpoint+jws' });
    expect(payload).toEqual({
      jti: res.body.id,
      sub: `incident:${incidentId}`,
      org: hub.orgId('northbank'),
      length: 2,
      head: log[1].hash,
      hashAlg: 'sha-256',
      iat: expect.any(Number),
    });
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    // The head it names is the hash of the last entry, recomputed from the entry itself.
    const { id: _id, hash: _hash, ...body } = log[1];
    expect(entryHash(incidentId, body)).toBe(payload.head);
    // kid is the RFC 7638 thumbprint: SHA-256 over the required members of the OKP key, in order.
    const jwk = (await jwks()).find((k) => k.kid === header.kid) as Jwk;
    const { createHash } = await import('node:crypto');
    const thumbprint = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
    expect(thumbprint).toBe(header.kid);

    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    const outbox = await client.query("SELECT aggregate_type, aggregate_id, payload FROM outbox WHERE event_type = 'log.checkpoint'");
    await client.query('ROLLBACK');
    expect(outbox.rows).toEqual([{ aggregate_type: 'incident', aggregate_id: incidentId, payload: { checkpointId: res.body.id, length: 2 } }]);
    // Nothing is logged for it: the chain is as it was.
    expect((await hub.http().get(`/api/v1/incidents/${incidentId}/log/verify`).set(bearer(handler())).expect(200)).body).toMatchObject({ valid: true, entries: 2 });
  });

  it('answers what the API document says: the same properties, with their types', async () => {
    const document = (await hub.http().get('/api/docs-json').expect(200)).body;
    const schema = document.components.schemas.CheckpointView;
    const listed = (await hub.http().get(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(handler())).expect(200)).body.items;
    expect(listed.length).toBeGreaterThan(0);
    for (const item of listed) {
      expect(Object.keys(item).sort()).toEqual(Object.keys(schema.properties).sort());
      expect(schema.required.sort()).toEqual(Object.keys(item).sort());
      for (const [name, property] of Object.entries(schema.properties as Record<string, { type?: string; $ref?: string }>)) {
        if (property.type) expect(`${name}: ${typeof item[name]}`).toBe(`${name}: ${property.type === 'integer' ? 'number' : property.type}`);
      }
    }
    const post = document.paths['/api/v1/incidents/{id}/log/checkpoints'].post;
    expect(Object.keys(post.responses).sort()).toEqual(['201', '401', '403', '404', '422', '500']);
  });

  it('has nothing to sign before the first entry: 422', async () => {
    const coordinator = principalOf(hub, 'national-csirt', 'coordinator');
    const subject: LogSubject = { type: 'joint_incident', id: randomUUID() };
    await asOrg(hub, coordinator, (tx) => openLog(tx, subject));
    expect(await refusal(hub.app.get(LogService).createCheckpoint(coordinator, subject))).toEqual({ status: 422, code: 'LOG_EMPTY' });
    await asOrg(hub, coordinator, (tx) => appendLog(tx, coordinator, subject, { action: 'joint_incident.opened' }));
    expect(await hub.app.get(LogService).createCheckpoint(coordinator, subject)).toMatchObject({ length: 1, subject });
    expect(await refusal(hub.app.get(LogService).createCheckpoint(principalOf(hub, 'northbank', 'admin'), subject))).toMatchObject({ status: 404 });
  });

  it('refuses viewers (403) and other organisations (404, as if there were no incident)', async () => {
    await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(hub.token('northbank', 'viewer'))).expect(403);
    const outsider = await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(hub.token('gridpower', 'admin'))).expect(404);
    expect(outsider.body.code).toBe('NOT_FOUND');
    await hub.http().post(`/api/v1/incidents/${randomUUID()}/log/checkpoints`).set(bearer(handler())).expect(404);
    await hub.http().get(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(hub.token('national-csirt', 'coordinator'))).expect(404);
    await hub.http().get(`/api/v1/incidents/not-a-uuid/log/checkpoints`).set(bearer(handler())).expect(404);
  });

  it('lists checkpoints to the owner and to a recipient of a release, but not the log itself, and not who asked', async () => {
    const coordinator = hub.token('national-csirt', 'coordinator');
    await hub
      .http()
      .post(`/api/v1/incidents/${incidentId}/releases`)
      .set(bearer(handler()))
      .send({ recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }] })
      .expect(201);
    const mine = (await hub.http().get(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(hub.token('northbank', 'viewer'))).expect(200)).body.items;
    expect(mine).toHaveLength(1);
    expect(mine[0].createdBy).toBe(hub.userId('northbank', 'handler'));
    const theirs = (await hub.http().get(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(coordinator)).expect(200)).body.items;
    expect(theirs).toEqual([{ ...mine[0], createdBy: null }]);
    await verifyWithJwks(theirs[0].jws);
    // The recipient sees that the chain was signed, not the chain.
    await hub.http().get(`/api/v1/incidents/${incidentId}/log`).set(bearer(coordinator)).expect(404);
    await hub.http().get(`/api/v1/incidents/${incidentId}/log/verify`).set(bearer(coordinator)).expect(404);
    await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(coordinator)).expect(404);
    await hub.http().get(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(hub.token('gridpower', 'admin'))).expect(404);
  });

  it('keeps a retired key in the JWK Set, so what it signed stays verifiable after the ring moves on', async () => {
    const before = (await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(handler())).expect(201)).body;
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query("UPDATE key_ring SET retired_at = now() WHERE purpose = 'log-checkpoint'");
    } finally {
      await owner.end();
    }
    await hub.app.get(KeyRings).ring('log-checkpoint').reload();
    const after = (await hub.http().post(`/api/v1/incidents/${incidentId}/log/checkpoints`).set(bearer(handler())).expect(201)).body;
    expect(after.kid).not.toBe(before.kid);
    const keys = await jwks();
    expect(keys.map((k) => k.kid).sort()).toEqual([before.kid, after.kid].sort());
    expect(keys.every((k) => k.d === undefined)).toBe(true);
    await verifyWithJwks(before.jws);
    await verifyWithJwks(after.jws);
    // The access-token ring is not published here.
    expect(keys).toHaveLength(2);
  });
});

describe('the migration to chains per subject', () => {
  it('carries an incident chain written before it over, still verifying, and appends after it', async () => {
    const db = await createTestDatabase();
    const owner = new pg.Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const app = await new DataSource({ type: 'postgres', url: db.appUrl }).initialize();
    try {
      // Back to the per-incident log, with one chain as the earlier code wrote it.
      const migration = new LogChains1764489600000();
      const ownerSource = await new DataSource({ type: 'postgres', url: db.ownerUrl }).initialize();
      const runner = ownerSource.createQueryRunner();
      await migration.down(runner);
      // The owner, with row-level security off for the moment, plays the hub as it was.
      await owner.query('ALTER TABLE organisations NO FORCE ROW LEVEL SECURITY; ALTER TABLE incidents NO FORCE ROW LEVEL SECURITY; ALTER TABLE management_log NO FORCE ROW LEVEL SECURITY');
      const [org] = (await owner.query("INSERT INTO organisations (slug, name, kind) VALUES ('before', 'Before', 'member') RETURNING id")).rows;
      const [incident] = (
        await owner.query(
          "INSERT INTO incidents (org_id, title, category, sub_type, severity, marking) VALUES ($1, 'Before', 'availability', 'ddos', 2, 'GREEN') RETURNING id",
          [org.id],
        )
      ).rows;
      let prevHash: string | null = null;
      for (let seq = 1; seq <= 3; seq += 1) {
        const entry = { seq, at: `2026-11-2${seq}T10:00:00.000Z`, actorId: null, actorKind: 'api_key', actorOrgId: null, action: `step.${seq}`, reason: 'é 🚨', details: { b: seq, a: [true] }, prevHash };
        const hash = entryHash(incident.id, entry);
        await owner.query(
          `INSERT INTO management_log (org_id, incident_id, seq, at, actor_id, actor_kind, action, reason, details, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [org.id, incident.id, seq, entry.at, null, entry.actorKind, entry.action, entry.reason, entry.details, prevHash, hash],
        );
        await owner.query('UPDATE incidents SET log_length = $2, log_head_hash = $3 WHERE id = $1', [incident.id, seq, hash]);
        prevHash = hash;
      }
      await owner.query('ALTER TABLE organisations FORCE ROW LEVEL SECURITY; ALTER TABLE incidents FORCE ROW LEVEL SECURITY; ALTER TABLE management_log FORCE ROW LEVEL SECURITY');
      await migration.up(runner);
      await runner.release();
      await ownerSource.destroy();

      const subject: LogSubject = { type: 'incident', id: incident.id };
      const db2 = new TenantDatabase(app);
      const context = organisationContext(org.id);
      expect(await db2.run(context, (tx) => verifyLog(tx, subject))).toEqual({ valid: true, entries: 3, firstBroken: null, breaks: [] });
      const apiKey: Principal = { kind: 'api_key', id: randomUUID(), orgId: org.id, orgKind: 'member', roles: ['handler'] };
      const next = await db2.run(context, (tx) => appendLog(tx, apiKey, subject, { action: 'step.4' }));
      expect(next).toMatchObject({ seq: 4, prevHash });
      expect(await db2.run(context, (tx) => verifyLog(tx, subject))).toMatchObject({ valid: true, entries: 4 });
      const [head] = await db2.run(context, (tx) => tx.query<{ log_length: number; log_head_hash: string }>('SELECT log_length, log_head_hash FROM incidents WHERE id = $1', [incident.id]));
      expect(head).toEqual({ log_length: 4, log_head_hash: next.hash });
    } finally {
      await app.destroy();
      await owner.end();
      await db.drop();
    }
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

const incidentBody = {
  title: 'DDoS on online banking',
  summary: 'Volumetric attack against the login front end',
  category: 'availability',
  subType: 'ddos',
  severity: 3,
  marking: 'AMBER',
  awareAt: '2026-11-20T08:00:00Z',
  internalNotes: 'Upstream ISP ticket 4711',
  reporter: { name: 'SOC night shift', contact: 'soc@northbank.demo' },
  affectedAssets: 'lb-01, lb-02',
  clockProfiles: ['nis2'],
};

describe('the incident register', () => {
  let hub: TestHub;
  let handler: string;
  beforeAll(async () => {
    hub = await startTestHub();
    handler = hub.token('northbank', 'handler');
  });
  afterAll(async () => {
    await hub.close();
  });

  async function createIncident(token = handler, body: Record<string, unknown> = incidentBody) {
    return (await hub.http().post('/api/v1/incidents').set(bearer(token)).send(body).expect(201)).body;
  }

  async function move(id: string, phase: string, version: number, expected = 200) {
    return hub.http().post(`/api/v1/incidents/${id}/phase`).set(bearer(handler)).send({ phase, reason: `to ${phase}`, version }).expect(expected);
  }

  it('walks an incident through every phase, closing only with the report, logging each step', async () => {
    const incident = await createIncident();
    expect(incident).toMatchObject({ phase: 'detect_report', version: 1, marking: 'AMBER', internalNotes: 'Upstream ISP ticket 4711' });
    let v = incident.version;
    for (const phase of ['assess_decide', 'respond', 'learn_lessons']) v = (await move(incident.id, phase, v)).body.version;
    const refused = await move(incident.id, 'closed', v, 409);
    expect(refused.body.code).toBe('INCIDENT_REPORT_REQUIRED');
    const withReport = await hub.http().put(`/api/v1/incidents/${incident.id}/report`).set(bearer(handler))
      .send({ summary: 'Mitigated upstream', lessonsLearned: 'Pre-arrange scrubbing', version: v }).expect(200);
    const closed = await move(incident.id, 'closed', withReport.body.version);
    expect(closed.body).toMatchObject({ phase: 'closed', closedAt: expect.any(String) });
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).send({ version: closed.body.version, title: 'x' }).expect(409);

    const log = await hub.http().get(`/api/v1/incidents/${incident.id}/log`).set(bearer(handler)).expect(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual([
      'incident.created',
      'incident.phase_changed',
      'incident.phase_changed',
      'incident.phase_changed',
      'incident.report_written',
      'incident.phase_changed',
    ]);
    expect(log.body.items[1]).toMatchObject({ seq: 2, reason: 'to assess_decide', details: { from: 'detect_report', to: 'assess_decide' } });
    const verdict = await hub.http().get(`/api/v1/incidents/${incident.id}/log/verify`).set(bearer(hub.token('northbank', 'viewer'))).expect(200);
    expect(verdict.body).toEqual({ valid: true, entries: 6, firstBroken: null, breaks: [] });
  });

  it('stores and hashes hostile but well-formed text exactly: astral characters, combining marks, right-to-left text, every JSON escape', async () => {
    const controls = Array.from({ length: 0x1f }, (_, i) => String.fromCharCode(i + 1)).join('');
    const text = `🛡️ 𝕳𝖚𝖇 e\u0301 n\u0303 ﷽ مرحبا עברית \u200f\u202e gnp.exe \u2028\u2029 "quoted" \\ / ${controls} \ufeff \u{10ffff}`;
    const incident = await createIncident(handler, { ...incidentBody, title: text.slice(0, 100), summary: text, reporter: { name: text, contact: text } });
    const updated = await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).send({ version: 1, severity: 4, reason: text }).expect(200);
    await hub.http().post(`/api/v1/incidents/${incident.id}/phase`).set(bearer(handler)).send({ phase: 'assess_decide', reason: text, version: updated.body.version }).expect(200);
    const read = await hub.http().get(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).expect(200);
    expect(read.body).toMatchObject({ title: text.slice(0, 100), summary: text, reporter: { name: text, contact: text } });
    const log = await hub.http().get(`/api/v1/incidents/${incident.id}/log`).set(bearer(handler)).expect(200);
    expect(log.body.items.slice(1).map((e: { reason: string }) => e.reason)).toEqual([text, text]);
    const verdict = await hub.http().get(`/api/v1/incidents/${incident.id}/log/verify`).set(bearer(handler)).expect(200);
    expect(verdict.body).toEqual({ valid: true, entries: 3, firstBroken: null, breaks: [] });
  });

  it('refuses a lone surrogate in a reason with a 400 before the log is touched, so the chain still verifies', async () => {
    const incident = await createIncident();
    const refused = await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).send({ version: 1, severity: 4, reason: 'a\ud800b' }).expect(400);
    expect(refused.body.details[0]).toMatchObject({ field: 'reason', rule: 'wellFormedUnicode' });
    const verdict = await hub.http().get(`/api/v1/incidents/${incident.id}/log/verify`).set(bearer(handler)).expect(200);
    expect(verdict.body).toEqual({ valid: true, entries: 1, firstBroken: null, breaks: [] });
  });

  it('refuses transitions the lifecycle does not allow, naming the allowed ones', async () => {
    const incident = await createIncident();
    const res = await move(incident.id, 'respond', 1, 409);
    expect(res.body.message).toBe('an incident in phase detect_report cannot move to respond; allowed: assess_decide');
    await move(incident.id, 'closed', 1, 409);
  });

  it('answers a stale write with 409 and keeps the first one', async () => {
    const incident = await createIncident();
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).send({ version: 1, severity: 4, reason: 'customer impact' }).expect(200);
    const stale = await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).send({ version: 1, severity: 1 }).expect(409);
    expect(stale.body.code).toBe('STALE_VERSION');
    const now = await hub.http().get(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).expect(200);
    expect(now.body).toMatchObject({ severity: 4, version: 2 });
  });

  it('lets viewers read and refuses them every change', async () => {
    const viewer = hub.token('northbank', 'viewer');
    const incident = await createIncident();
    await hub.http().get(`/api/v1/incidents/${incident.id}`).set(bearer(viewer)).expect(200);
    await hub.http().post('/api/v1/incidents').set(bearer(viewer)).send(incidentBody).expect(403);
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(viewer)).send({ version: 1, title: 'x' }).expect(403);
    await hub.http().post('/api/v1/event-reports').set(bearer(viewer)).send({ reporterName: 'v', description: 'd' }).expect(403);
  });

  it("never shows or changes another organisation's incidents, reports, observables or log: 404 as if missing", async () => {
    const incident = await createIncident();
    await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(handler)).send({ type: 'ipv4', value: '192.0.2.1', marking: 'AMBER' }).expect(201);
    const report = (await hub.http().post('/api/v1/event-reports').set(bearer(handler)).send({ reporterName: 'r', description: 'd' }).expect(201)).body;
    const other = hub.token('gridpower', 'admin');
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const path of ['', '/observables', '/log', '/log/verify', '/clocks']) {
      const foreign = await hub.http().get(`/api/v1/incidents/${incident.id}${path}`).set(bearer(other)).expect(404);
      const absent = await hub.http().get(`/api/v1/incidents/${missing}${path}`).set(bearer(other)).expect(404);
      expect(foreign.body.message).toBe(absent.body.message);
    }
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(other)).send({ version: 1, title: 'owned' }).expect(404);
    await hub.http().post(`/api/v1/incidents/${incident.id}/phase`).set(bearer(other)).send({ phase: 'assess_decide', reason: 'x', version: 1 }).expect(404);
    await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(other)).send({ type: 'ipv4', value: '192.0.2.2', marking: 'AMBER' }).expect(404);
    await hub.http().get(`/api/v1/event-reports/${report.id}`).set(bearer(other)).expect(404);
    await hub.http().post(`/api/v1/event-reports/${report.id}/triage`).set(bearer(other)).send({ outcome: 'dismiss', reason: 'x', version: 1 }).expect(404);
    const list = await hub.http().get('/api/v1/incidents?limit=200').set(bearer(other)).expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);
    const reports = await hub.http().get('/api/v1/event-reports?limit=200').set(bearer(other)).expect(200);
    expect(reports.body.items.map((r: { id: string }) => r.id)).not.toContain(report.id);
    const unchanged = await hub.http().get(`/api/v1/incidents/${incident.id}`).set(bearer(handler)).expect(200);
    expect(unchanged.body.version).toBe(1);
  });

  it('keeps observables in their normal form, with their own marking and PAP, once per value', async () => {
    const incident = await createIncident();
    const added = await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(handler))
      .send({ type: 'domain', value: 'Evil.EXAMPLE.', marking: 'RED', pap: 'RED', firstSeen: '2026-11-20T07:00:00Z' }).expect(201);
    expect(added.body).toMatchObject({ type: 'domain', value: 'evil.example', marking: 'RED', pap: 'RED' });
    const dup = await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(handler)).send({ type: 'domain', value: 'evil.example', marking: 'AMBER' }).expect(409);
    expect(dup.body.details[0]).toMatchObject({ field: 'value', rule: 'unique' });
    const bad = await hub.http().post(`/api/v1/incidents/${incident.id}/observables`).set(bearer(handler)).send({ type: 'ipv4', value: '999.1.1.1', marking: 'AMBER' }).expect(400);
    expect(bad.body.details[0]).toMatchObject({ field: 'value', rule: 'validipv4' });
    const list = await hub.http().get(`/api/v1/incidents/${incident.id}/observables`).set(bearer(handler)).expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('runs NIS2 clocks from awareness and records what was sent', async () => {
    const incident = await createIncident();
    const clocks = await hub.http().get(`/api/v1/incidents/${incident.id}/clocks`).set(bearer(handler)).expect(200);
    expect(clocks.body.items.map((c: { milestone: string; dueAt: string }) => [c.milestone, c.dueAt])).toEqual([
      ['early-warning', '2026-11-21T08:00:00.000Z'],
      ['notification', '2026-11-23T08:00:00.000Z'],
      ['final-report', '2026-12-20T08:00:00.000Z'],
    ]);
    const sent = await hub.http().post(`/api/v1/incidents/${incident.id}/clocks/submissions`).set(bearer(handler))
      .send({ profile: 'nis2', milestone: 'early-warning', sentAt: '2026-11-20T20:00:00Z', reference: 'CSIRT-EW-1' }).expect(201);
    expect(sent.body.items[0]).toMatchObject({ status: 'sent', reference: 'CSIRT-EW-1' });
    await hub.http().post(`/api/v1/incidents/${incident.id}/clocks/submissions`).set(bearer(handler))
      .send({ profile: 'nis2', milestone: 'early-warning', sentAt: '2026-11-20T21:00:00Z' }).expect(409);
    await hub.http().post(`/api/v1/incidents/${incident.id}/clocks/submissions`).set(bearer(handler))
      .send({ profile: 'gdpr', milestone: 'breach-notification', sentAt: '2026-11-20T21:00:00Z' }).expect(400);
  });

  it('lists the register with filters, newest change first, by cursor', async () => {
    const admin = hub.token('st-marys-hospital', 'admin');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await createIncident(admin, { ...incidentBody, title: `Ransomware wave ${i}`, severity: (i % 4) + 1, marking: i % 2 ? 'RED' : 'GREEN', category: 'malicious-code', subType: 'infected-system' })).id);
    }
    const first = await hub.http().get('/api/v1/incidents?limit=2').set(bearer(admin)).expect(200);
    const second = await hub.http().get(`/api/v1/incidents?limit=2&cursor=${first.body.nextCursor}`).set(bearer(admin)).expect(200);
    const third = await hub.http().get(`/api/v1/incidents?limit=2&cursor=${second.body.nextCursor}`).set(bearer(admin)).expect(200);
    expect([...first.body.items, ...second.body.items, ...third.body.items].map((i: { id: string }) => i.id)).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.items[0]).not.toHaveProperty('internalNotes');
    const red = await hub.http().get('/api/v1/incidents?marking=RED').set(bearer(admin)).expect(200);
    expect(red.body.items).toHaveLength(2);
    const text = await hub.http().get('/api/v1/incidents?q=wave%203').set(bearer(admin)).expect(200);
    expect(text.body.items.map((i: { title: string }) => i.title)).toEqual(['Ransomware wave 3']);
    const sev = await hub.http().get('/api/v1/incidents?severity=1&phase=detect_report&awareFrom=2026-11-01T00:00:00Z').set(bearer(admin)).expect(200);
    expect(sev.body.items.map((i: { title: string }) => i.title)).toEqual(['Ransomware wave 4', 'Ransomware wave 0']);
    for (const bad of ['marking=amber', 'severity=5', 'phase=open', 'updatedFrom=yesterday', 'limit=0', 'cursor=%%%']) {
      await hub.http().get(`/api/v1/incidents?${bad}`).set(bearer(admin)).expect(400);
    }
  });

  it('writes an outbox row with a rising sequence for every change, in the same transaction', async () => {
    const incident = await createIncident();
    await move(incident.id, 'assess_decide', 1);
    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    const rows = await client.query('SELECT seq, event_type, aggregate_id FROM outbox WHERE aggregate_id = $1 ORDER BY seq', [incident.id]);
    await client.query('COMMIT');
    expect(rows.rows.map((r) => r.event_type)).toEqual(['incident.created', 'incident.phase_changed']);
    expect(Number(rows.rows[1].seq)).toBeGreaterThan(Number(rows.rows[0].seq));
    // A refused change leaves no event behind.
    await move(incident.id, 'closed', 2, 409);
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    const after = await client.query('SELECT count(*)::int AS n FROM outbox WHERE aggregate_id = $1', [incident.id]);
    await client.query('COMMIT');
    expect(after.rows[0].n).toBe(2);
  });
});

describe('event reports', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  const report = { reporterName: 'IDS', description: 'Beaconing to 203.0.113.7', detectionMethod: 'IDS alert', affectedAsset: 'ws-042', observedAt: '2026-11-22T23:10:00Z' };

  it('submits once under concurrent retries with the same Idempotency-Key', async () => {
    const token = hub.token('gridpower', 'handler');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => hub.http().post('/api/v1/event-reports').set(bearer(token)).set('idempotency-key', 'retry-1').send(report)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const list = await hub.http().get('/api/v1/event-reports').set(bearer(token)).expect(200);
    expect(list.body.items.filter((r: { description: string }) => r.description === report.description)).toHaveLength(1);
    const reused = await hub.http().post('/api/v1/event-reports').set(bearer(token)).set('idempotency-key', 'retry-1').send({ ...report, description: 'other' }).expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await hub.http().post('/api/v1/event-reports').set(bearer(token)).set('idempotency-key', 'bad key with spaces').send(report).expect(400);
  });

  it('promotes a report to an incident that keeps the reporter internal and links back', async () => {
    const token = hub.token('gridpower', 'handler');
    const created = (await hub.http().post('/api/v1/event-reports').set(bearer(token)).send(report).expect(201)).body;
    await hub.http().post(`/api/v1/event-reports/${created.id}/triage`).set(bearer(token)).send({ outcome: 'promote', reason: 'confirmed C2', version: 1 }).expect(400);
    const triaged = await hub.http().post(`/api/v1/event-reports/${created.id}/triage`).set(bearer(token)).send({
      outcome: 'promote',
      reason: 'confirmed C2',
      version: 1,
      incident: { title: 'C2 beaconing from ws-042', category: 'malicious-code', subType: 'c2-server', severity: 2, marking: 'AMBER' },
    }).expect(200);
    expect(triaged.body).toMatchObject({ status: 'promoted', incidentId: expect.any(String) });
    const incident = await hub.http().get(`/api/v1/incidents/${triaged.body.incidentId}`).set(bearer(token)).expect(200);
    expect(incident.body).toMatchObject({ sourceEventReportId: created.id, reporter: { name: 'IDS' }, affectedAssets: 'ws-042', detectedAt: '2026-11-22T23:10:00.000Z' });
    const log = await hub.http().get(`/api/v1/incidents/${incident.body.id}/log`).set(bearer(token)).expect(200);
    expect(log.body.items[0]).toMatchObject({ action: 'incident.created', reason: 'promoted from event report: confirmed C2' });
    const again = await hub.http().post(`/api/v1/event-reports/${created.id}/triage`).set(bearer(token)).send({ outcome: 'dismiss', reason: 'x', version: 2 }).expect(409);
    expect(again.body.code).toBe('EVENT_REPORT_ALREADY_TRIAGED');
  });

  it('dismisses with a reason or keeps a near miss', async () => {
    const token = hub.token('gridpower', 'handler');
    for (const [outcome, status] of [['dismiss', 'dismissed'], ['near_miss', 'near_miss']]) {
      const created = (await hub.http().post('/api/v1/event-reports').set(bearer(token)).send(report).expect(201)).body;
      const res = await hub.http().post(`/api/v1/event-reports/${created.id}/triage`).set(bearer(token)).send({ outcome, reason: 'benign scanner', version: 1 }).expect(200);
      expect(res.body).toMatchObject({ status, triageReason: 'benign scanner', incidentId: null });
    }
  });
});

describe('the management log is tamper-evident and append-only', () => {
  let hub: TestHub;
  let incidentId: string;
  beforeAll(async () => {
    hub = await startTestHub();
    const token = hub.token('northbank', 'handler');
    incidentId = (await hub.http().post('/api/v1/incidents').set(bearer(token)).send(incidentBody).expect(201)).body.id;
    let v = 1;
    for (const phase of ['assess_decide', 'respond', 'learn_lessons']) {
      v = (await hub.http().post(`/api/v1/incidents/${incidentId}/phase`).set(bearer(token)).send({ phase, reason: phase, version: v }).expect(200)).body.version;
    }
  });
  afterAll(async () => {
    await hub.close();
  });

  const verify = async () => (await hub.http().get(`/api/v1/incidents/${incidentId}/log/verify`).set(bearer(hub.token('northbank', 'admin'))).expect(200)).body;

  it('refuses UPDATE and DELETE to the application role', async () => {
    const app = await hub.appClient();
    await app.query('BEGIN');
    await app.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    await expect(app.query("UPDATE management_log SET reason = 'x' WHERE incident_id = $1", [incidentId])).rejects.toThrow(/permission denied/);
    await app.query('ROLLBACK');
    await app.query('BEGIN');
    await app.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
    await expect(app.query('DELETE FROM management_log WHERE incident_id = $1', [incidentId])).rejects.toThrow(/permission denied/);
    await app.query('ROLLBACK');
  });

  async function cliVerify(): Promise<{ code: number; verdict: { valid: boolean; firstBroken: { seq: number } | null; breaks: { seq: number }[] } }> {
    const args = ['dist/apps/cli/src/main.js', 'log:verify', '--org', hub.orgId('northbank'), '--incident', incidentId];
    try {
      const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...process.env, DATABASE_URL: hub.db.appUrl, LOG_LEVEL: 'silent' } });
      return { code: 0, verdict: JSON.parse(stdout) };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, verdict: JSON.parse(failed.stdout) };
    }
  }

  it('detects an entry altered by the owner role, naming it, over the API and with the CLI', async () => {
    expect(await verify()).toEqual({ valid: true, entries: 4, firstBroken: null, breaks: [] });
    expect(await cliVerify()).toEqual({ code: 0, verdict: { valid: true, entries: 4, firstBroken: null, breaks: [] } });
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      // Even the owner needs to switch row-level security off to touch the log.
      await owner.query('ALTER TABLE management_log NO FORCE ROW LEVEL SECURITY');
      await owner.query("UPDATE management_log SET reason = 'nothing to see' WHERE incident_id = $1 AND seq = 3", [incidentId]);
      const verdict = await verify();
      expect(verdict).toMatchObject({ valid: false, firstBroken: { seq: 3, problem: 'its content does not match its hash' } });
      expect(await cliVerify()).toMatchObject({ code: 1, verdict: { valid: false, firstBroken: { seq: 3 } } });
      // A second tampering later in the chain is reported too, not hidden behind the first.
      const original = await owner.query('SELECT details FROM management_log WHERE incident_id = $1 AND seq = 4', [incidentId]);
      await owner.query("UPDATE management_log SET details = '{\"from\":\"x\"}' WHERE incident_id = $1 AND seq = 4", [incidentId]);
      const both = [
        { seq: 3, problem: 'its content does not match its hash' },
        { seq: 4, problem: 'its content does not match its hash' },
      ];
      expect((await verify()).breaks).toMatchObject(both);
      expect((await cliVerify()).verdict.breaks).toMatchObject(both);
      await owner.query("UPDATE management_log SET reason = 'respond' WHERE incident_id = $1 AND seq = 3", [incidentId]);
      expect((await verify()).breaks).toMatchObject([both[1]]);
      await owner.query('UPDATE management_log SET details = $2 WHERE incident_id = $1 AND seq = 4', [incidentId, original.rows[0].details]);
      expect((await verify()).valid).toBe(true);

      await owner.query('DELETE FROM management_log WHERE incident_id = $1 AND seq = 2', [incidentId]);
      expect((await verify()).firstBroken).toMatchObject({ seq: 2, problem: 'entry 2 is missing' });
      await owner.query('DELETE FROM management_log WHERE incident_id = $1 AND seq = 4', [incidentId]);
      await owner.query('ALTER TABLE management_log FORCE ROW LEVEL SECURITY');
    } finally {
      await owner.end();
    }
  });
});

describe('the register stays index-backed on a large table', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.close();
  });

  it('plans the first page, with and without filters, without a sequential scan', async () => {
    const admin = new pg.Client({ connectionString: hub.db.adminUrl });
    await admin.connect();
    // 200,000 incidents spread over the five demo organisations.
    await admin.query(`
      INSERT INTO incidents (org_id, title, summary, category, sub_type, severity, marking, phase, updated_at)
      SELECT (SELECT array_agg(id) FROM organisations)[1 + g % 5], 'Incident ' || g, 'generated', 'availability', 'ddos',
             1 + g % 4, (ARRAY['CLEAR','GREEN','AMBER','AMBER+STRICT','RED'])[1 + g % 5], 'respond',
             now() - make_interval(secs => g)
        FROM generate_series(1, 200000) g`);
    await admin.query('ANALYZE incidents');
    await admin.end();

    const app = await hub.appClient();
    const plans: string[] = [];
    for (const filter of ['', "AND phase = 'respond'", 'AND severity = 2', "AND marking = 'RED'"]) {
      await app.query('BEGIN');
      await app.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId('northbank')]);
      const plan = await app.query(
        `EXPLAIN SELECT id FROM incidents WHERE org_id = $1 ${filter} ORDER BY updated_at DESC, id DESC LIMIT 51`,
        [hub.orgId('northbank')],
      );
      await app.query('ROLLBACK');
      plans.push(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    for (const plan of plans) {
      expect(plan).not.toMatch(/Seq Scan/);
      expect(plan).toMatch(/incidents_register_idx/);
    }
  }, 120_000);
});

import pg from 'pg';
import { DataSource } from 'typeorm';
import { IncidentExercises1765612800000 } from '../libs/database/src/migrations/1765612800000-incident-exercises.js';
import { createTestDatabase } from './support/test-database.js';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Exercises (ISO/IEC 27035-2 clause 11): an incident opened as an exercise says so in the owner's view, the
 * register and what a recipient reads; it runs no regulatory clock and takes no submission; the register filters
 * on it; and the flag is set when the incident is opened, by hand or by promoting an event report, never after.
 */
describe('incidents as exercises', () => {
  let hub: TestHub;
  const as = (slug: 'northbank' | 'national-csirt', role: string) => {
    const auth = bearer(hub.token(slug, role));
    return {
      get: (path: string) => hub.http().get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(`/api/v1${path}`).set(auth).send(body),
      patch: (path: string, body: object) => hub.http().patch(`/api/v1${path}`).set(auth).send(body),
    };
  };
  const handler = () => as('northbank', 'handler');
  const body = { title: 'Tabletop: ransomware', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER', awareAt: '2026-11-20T08:00:00Z', clockProfiles: ['nis2'] };

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.close());

  it('is an exercise in the owner\'s view, the register and the log once opened so; a real incident is not', async () => {
    const drill = (await handler().post('/incidents', { ...body, exercise: true }).expect(201)).body;
    const real = (await handler().post('/incidents', body).expect(201)).body;
    expect(drill.exercise).toBe(true);
    expect(real.exercise).toBe(false);
    expect((await handler().get(`/incidents/${drill.id}`).expect(200)).body.exercise).toBe(true);
    const register = (await handler().get('/incidents?limit=100').expect(200)).body.items as { id: string; exercise: boolean }[];
    expect(register.find((i) => i.id === drill.id)?.exercise).toBe(true);
    expect(register.find((i) => i.id === real.id)?.exercise).toBe(false);
    const log = (await handler().get(`/incidents/${drill.id}/log`).expect(200)).body.items;
    expect(log[0]).toMatchObject({ action: 'incident.created', details: { exercise: true } });

    // The register's filter: exercises only, real incidents only, and a 400 for anything but true or false.
    const ids = async (filter: string) => ((await handler().get(`/incidents?limit=100&exercise=${filter}`).expect(200)).body.items as { id: string }[]).map((i) => i.id);
    expect(await ids('true')).toContain(drill.id);
    expect(await ids('true')).not.toContain(real.id);
    expect(await ids('false')).toContain(real.id);
    expect(await ids('false')).not.toContain(drill.id);
    const bad = await handler().get('/incidents?exercise=maybe').expect(400);
    expect(bad.body.details[0]).toMatchObject({ field: 'exercise' });
  });

  it('runs no regulatory clock: no clock items, and a submission is refused with 422', async () => {
    const drill = (await handler().post('/incidents', { ...body, exercise: true }).expect(201)).body;
    expect((await handler().get(`/incidents/${drill.id}/clocks`).expect(200)).body).toEqual({ awareAt: '2026-11-20T08:00:00.000Z', exercise: true, items: [] });
    const refused = await handler().post(`/incidents/${drill.id}/clocks/submissions`, { profile: 'nis2', milestone: 'early-warning', sentAt: '2026-11-20T09:00:00Z' }).expect(422);
    expect(refused.body).toMatchObject({ code: 'INCIDENT_EXERCISE_NO_CLOCK', message: expect.stringMatching(/exercise/) });
    // Nothing was logged for it.
    const log = (await handler().get(`/incidents/${drill.id}/log`).expect(200)).body.items as { action: string }[];
    expect(log.map((e) => e.action)).toEqual(['incident.created']);

    const real = (await handler().post('/incidents', body).expect(201)).body;
    const clocks = (await handler().get(`/incidents/${real.id}/clocks`).expect(200)).body;
    expect(clocks.exercise).toBe(false);
    expect(clocks.items).toHaveLength(3);
  });

  it('is decided when the incident is opened: an update naming exercise is refused', async () => {
    const real = (await handler().post('/incidents', body).expect(201)).body;
    const res = await handler().patch(`/incidents/${real.id}`, { version: real.version, exercise: true }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'exercise', rule: 'unknownField' })]);
    const bad = await handler().post('/incidents', { ...body, exercise: 'yes' }).expect(400);
    expect(bad.body.details[0]).toMatchObject({ field: 'exercise' });
  });

  it('shows as an exercise to the organisation it is released to, in its shared list and its shared view', async () => {
    const coordinatorOrg = hub.orgId('national-csirt');
    const drill = (await handler().post('/incidents', { ...body, title: 'Released drill', exercise: true }).expect(201)).body;
    await handler().post(`/incidents/${drill.id}/releases`, { recipients: [{ kind: 'organisation', id: coordinatorOrg }] }).expect(201);
    const coordinator = as('national-csirt', 'coordinator');
    expect((await coordinator.get(`/shared/incidents/${drill.id}`).expect(200)).body).toMatchObject({ id: drill.id, exercise: true });
    const listed = (await coordinator.get('/shared/incidents?limit=100&exercise=true').expect(200)).body.items as { id: string; exercise: boolean }[];
    expect(listed.find((i) => i.id === drill.id)).toMatchObject({ exercise: true });
    const real = (await coordinator.get('/shared/incidents?limit=100&exercise=false').expect(200)).body.items as { id: string }[];
    expect(real.map((i) => i.id)).not.toContain(drill.id);
  });

  it('can be opened by promoting an event report as an exercise', async () => {
    const report = (await handler().post('/event-reports', { reporterName: 'Drill lead', description: 'Injected scenario' }).expect(201)).body;
    const triaged = (await handler().post(`/event-reports/${report.id}/triage`, {
      outcome: 'promote', reason: 'tabletop', version: report.version, incident: { ...body, title: 'Promoted drill', exercise: true },
    }).expect(200)).body;
    expect((await handler().get(`/incidents/${triaged.incidentId}`).expect(200)).body).toMatchObject({ exercise: true, sourceEventReportId: report.id });
  });

  it('goes down and up again: the column and the view lose exercise and get it back, hub_app still reads the view', async () => {
    const db = await createTestDatabase();
    const owner = await new DataSource({ type: 'postgres', url: db.ownerUrl }).initialize();
    const app = new pg.Client({ connectionString: db.appUrl });
    await app.connect();
    const columns = async (table: string) =>
      (await owner.query('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table])).map((c: { column_name: string }) => c.column_name);
    try {
      const migration = new IncidentExercises1765612800000();
      const runner = owner.createQueryRunner();
      await migration.down(runner);
      expect(await columns('incidents')).not.toContain('exercise');
      expect(await columns('shared_incidents')).not.toContain('exercise');
      await app.query('SELECT count(*) FROM shared_incidents');
      await migration.up(runner);
      await runner.release();
      expect(await columns('incidents')).toContain('exercise');
      expect((await columns('shared_incidents')).at(-1)).toBe('exercise');
      expect((await app.query('SELECT count(*)::int AS n FROM shared_incidents')).rows).toEqual([{ n: 0 }]);
    } finally {
      await app.end();
      await owner.destroy();
      await db.drop();
    }
  });
});

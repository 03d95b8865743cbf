import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The figures for management review against a hand-built data set with known answers. GridPower's incidents are
 * made through the API with chosen awareness and containment times, phases, categories and severities, NIS2
 * submissions on time and late, and two exercises that must count nowhere; Northbank's incident in the same
 * window must never show in GridPower's figures. Expected figures are worked out by hand in the comments. The
 * times per phase come from log entries the hub stamps itself, so they are computed from the log as read back.
 */
describe('the figures for management review', () => {
  let hub: TestHub;
  let suiteStart: string;
  let agreementId: string;

  const as = (slug: DemoOrgSlug, role: string) => {
    const auth = bearer(hub.token(slug, role));
    return {
      get: (path: string) => hub.http().get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(`/api/v1${path}`).set(auth).send(body),
      put: (path: string, body: object = {}) => hub.http().put(`/api/v1${path}`).set(auth).send(body),
      patch: (path: string, body: object = {}) => hub.http().patch(`/api/v1${path}`).set(auth).send(body),
    };
  };
  const coordinator = () => as('national-csirt', 'coordinator');

  // The 2025 review window: [2025-01-01, 2025-07-01).
  const FROM = '2025-01-01T00:00:00.000Z';
  const TO = '2025-07-01T00:00:00.000Z';
  const figuresOf = (slug: DemoOrgSlug, from = FROM, to = TO, role = 'viewer') =>
    as(slug, role).get(`/management-review/figures?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);

  const ids: Record<string, string> = {};
  /** Opens an incident and walks it through `phases`, writing the report before closing. */
  async function incident(slug: DemoOrgSlug, name: string, body: Record<string, unknown>, phases: string[] = []) {
    const handler = as(slug, 'handler');
    const created = await handler.post('/incidents', { title: name, marking: 'AMBER', ...body }).expect(201);
    let version = created.body.version as number;
    for (const phase of phases) {
      if (phase === 'closed') {
        version = (await handler.put(`/incidents/${created.body.id}/report`, { summary: 's', lessonsLearned: 'l', version }).expect(200)).body.version;
      }
      version = (await handler.post(`/incidents/${created.body.id}/phase`, { phase, reason: `to ${phase}`, version }).expect(200)).body.version;
    }
    ids[name] = created.body.id;
    return created.body.id as string;
  }
  const submit = (id: string, milestone: string, sentAt: string, status = 201) =>
    as('gridpower', 'handler').post(`/incidents/${id}/clocks/submissions`, { profile: 'nis2', milestone, sentAt }).expect(status);

  const fraud = { category: 'fraud', subType: 'phishing' };
  const ddos = { category: 'availability', subType: 'ddos' };

  beforeAll(async () => {
    hub = await startTestHub();
    suiteStart = new Date().toISOString();

    // I1: aware exactly at `from` (in), contained after 1 h, NIS2: early warning on time, notification a day late,
    // no final report (due 2025-02-01, passed: missed). Now in respond.
    const i1 = await incident('gridpower', 'I1', { ...fraud, severity: 2, awareAt: '2025-01-01T00:00:00Z', containedAt: '2025-01-01T01:00:00Z', clockProfiles: ['nis2'] },
      ['assess_decide', 'respond']);
    await submit(i1, 'early-warning', '2025-01-01T10:00:00Z');
    await submit(i1, 'notification', '2025-01-05T00:00:00Z');
    // I2: contained after 2 h; early warning and notification on time, the final report five days late. Closed.
    const i2 = await incident('gridpower', 'I2', { ...ddos, severity: 3, awareAt: '2025-02-10T08:00:00Z', containedAt: '2025-02-10T10:00:00Z', clockProfiles: ['nis2'] },
      ['assess_decide', 'respond', 'learn_lessons', 'closed']);
    await submit(i2, 'early-warning', '2025-02-11T07:00:00Z');
    await submit(i2, 'notification', '2025-02-12T08:00:00Z');
    await submit(i2, 'final-report', '2025-03-15T00:00:00Z');
    // I3: contained after 5 h, no clock. In assess_decide.
    await incident('gridpower', 'I3', { ...fraud, severity: 3, awareAt: '2025-03-01T00:00:00Z', containedAt: '2025-03-01T05:00:00Z' }, ['assess_decide']);
    // I4: the last second of the window, not contained, NIS2 with nothing sent: every milestone missed.
    await incident('gridpower', 'I4', { ...ddos, severity: 1, awareAt: '2025-06-30T23:59:59Z', clockProfiles: ['nis2'] });
    // I5: contained after a day; assessment went straight to lessons learned.
    await incident('gridpower', 'I5', { ...fraud, severity: 4, awareAt: '2025-04-01T00:00:00Z', containedAt: '2025-04-02T00:00:00Z' }, ['assess_decide', 'learn_lessons']);
    // Outside the window: aware exactly at `to`, and a millisecond before `from`.
    await incident('gridpower', 'O1', { ...fraud, severity: 4, awareAt: '2025-07-01T00:00:00Z', containedAt: '2025-07-01T01:00:00Z', clockProfiles: ['nis2'] }, ['assess_decide']);
    await incident('gridpower', 'O2', { ...ddos, severity: 2, awareAt: '2024-12-31T23:59:59.999Z', containedAt: '2025-01-01T00:00:00Z' });
    // Exercises inside the window, with everything that would count: a containment, phases, the NIS2 clock.
    await incident('gridpower', 'X1', { ...fraud, severity: 1, exercise: true, awareAt: '2025-02-01T00:00:00Z', containedAt: '2025-02-01T00:00:10Z', clockProfiles: ['nis2'] },
      ['assess_decide', 'respond']);
    await incident('gridpower', 'X2', { ...ddos, severity: 4, exercise: true, awareAt: '2025-05-01T00:00:00Z' });
    // Northbank, in the same window: its own figures only.
    const n1 = await incident('northbank', 'N1', { ...fraud, severity: 2, awareAt: '2025-03-01T00:00:00Z', containedAt: '2025-03-01T00:01:00Z', clockProfiles: ['nis2'] },
      ['assess_decide']);
    await as('northbank', 'handler').post(`/incidents/${n1}/clocks/submissions`, { profile: 'nis2', milestone: 'early-warning', sentAt: '2025-03-01T01:00:00Z' }).expect(201);
  });
  afterAll(async () => hub?.close());

  /** percentile_cont(0.5), by hand. */
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (sorted.length - 1) / 2;
    return sorted[Math.floor(at)] + (sorted[Math.ceil(at)] - sorted[Math.floor(at)]) * (at - Math.floor(at));
  };

  /** Seconds per phase of one record, from its log as read back: each phase from its move to the next move. */
  async function phaseSeconds(path: string, slug: DemoOrgSlug, role: string, kind: string) {
    const entries = (await as(slug, role).get(`${path}/log`).expect(200)).body.items as { action: string; at: string; details: { to?: string } }[];
    const moves = entries.filter((e) => e.action === `${kind}.created` || e.action === `${kind}.phase_changed`);
    const seconds = new Map<string, number>();
    moves.slice(0, -1).forEach((move, i) => {
      const phase = move.action === `${kind}.created` ? 'detect_report' : move.details.to!;
      seconds.set(phase, (seconds.get(phase) ?? 0) + (Date.parse(moves[i + 1].at) - Date.parse(move.at)) / 1000);
    });
    return seconds;
  }

  it("counts the organisation's incidents aware in [from, to) by category, severity and phase, exercises and others' incidents left out", async () => {
    const res = await figuresOf('gridpower').expect(200);
    expect(res.body).toMatchObject({ organisationId: hub.orgId('gridpower'), from: FROM, to: TO, generatedAt: expect.any(String) });
    // I1..I5: O1 (at `to`) and O2 (before `from`) are outside, X1 and X2 exercises, N1 Northbank's.
    expect(res.body.incidents).toEqual({
      total: 5,
      byCategory: [{ key: 'availability', count: 2 }, { key: 'fraud', count: 3 }], // I2, I4 | I1, I3, I5
      bySeverity: [{ key: '1', count: 1 }, { key: '2', count: 1 }, { key: '3', count: 2 }, { key: '4', count: 1 }], // I4 | I1 | I2, I3 | I5
      byPhase: [
        { key: 'detect_report', count: 1 }, // I4
        { key: 'assess_decide', count: 1 }, // I3
        { key: 'respond', count: 1 }, // I1
        { key: 'learn_lessons', count: 1 }, // I5
        { key: 'closed', count: 1 }, // I2
      ],
    });
  });

  it('measures awareness to containment: median and p90 over the incidents contained', async () => {
    const res = await figuresOf('gridpower').expect(200);
    // Contained: I1 3600 s, I2 7200 s, I3 18000 s, I5 86400 s (I4 is not; X1's 10 s is an exercise; O2 is outside).
    // percentile_cont over 4 values: the median sits at rank (4-1)*0.5 = 1.5: 7200 + 0.5 * (18000 - 7200) = 12600;
    // the p90 at rank (4-1)*0.9 = 2.7: 18000 + 0.7 * (86400 - 18000) = 65880.
    expect(res.body.awarenessToContainment).toEqual({ count: 4, medianSeconds: 12600, p90Seconds: 65880 });
  });

  it('counts NIS2 milestones met, late, missed and pending against the clock profile deadlines', async () => {
    const res = await figuresOf('gridpower').expect(200);
    // NIS2 incidents in scope: I1, I2, I4 (X1 is an exercise, O1 outside). Deadlines: +24 h, +72 h, +1 month.
    // early warning: I1 sent 10 h after (met), I2 23 h after (met), I4 none (missed).
    // notification: I1 sent after 96 h (late), I2 after 48 h (met), I4 none (missed).
    // final report: I1 none, due 2025-02-01 (missed), I2 sent 2025-03-15, due 2025-03-10 (late), I4 none (missed).
    expect(res.body.nis2).toEqual({
      incidents: 3,
      milestones: [
        { milestone: 'early-warning', name: 'Early warning', met: 2, late: 0, missed: 1, pending: 0 },
        { milestone: 'notification', name: 'Incident notification', met: 1, late: 1, missed: 1, pending: 0 },
        { milestone: 'final-report', name: 'Final report', met: 0, late: 1, missed: 2, pending: 0 },
      ],
    });
  });

  it('takes the time per phase from the phase moves in the management log, per incident, median over those that left it', async () => {
    const res = await figuresOf('gridpower').expect(200);
    const per = await Promise.all(['I1', 'I2', 'I3', 'I4', 'I5'].map((name) => phaseSeconds(`/incidents/${ids[name]}`, 'gridpower', 'handler', 'incident')));
    // Left detect_report: I1, I2, I3, I5; assess_decide: I1, I2, I5; respond: I2; learn_lessons: I2. I4 has not moved.
    const expected = { detect_report: 4, assess_decide: 3, respond: 1, learn_lessons: 1 };
    expect(res.body.timePerPhase.map((p: { phase: string; count: number }) => [p.phase, p.count])).toEqual(Object.entries(expected));
    for (const item of res.body.timePerPhase as { phase: string; medianSeconds: number }[]) {
      const values = per.flatMap((seconds) => (seconds.has(item.phase) ? [seconds.get(item.phase)!] : []));
      expect(values).toHaveLength(expected[item.phase as keyof typeof expected]);
      // The log shows milliseconds, the database keeps microseconds.
      expect(Math.abs(item.medianSeconds - median(values))).toBeLessThan(0.01);
    }
  });

  it("never counts another organisation's incidents: Northbank's figures hold N1 only", async () => {
    const res = await figuresOf('northbank').expect(200);
    expect(res.body.incidents.total).toBe(1);
    expect(res.body.incidents.byCategory).toEqual([{ key: 'fraud', count: 1 }]);
    expect(res.body.awarenessToContainment).toEqual({ count: 1, medianSeconds: 60, p90Seconds: 60 });
    expect(res.body.nis2.milestones[0]).toMatchObject({ milestone: 'early-warning', met: 1, late: 0, missed: 0 });
  });

  it('keeps the window half-open: an incident aware exactly at `to` is out, at `from` in', async () => {
    // [to, to + 1 ms): O1 alone. [from, from + 1 ms): I1 alone. [from - 1 ms, from): O2 alone.
    const at = async (from: string, to: string) => (await figuresOf('gridpower', from, to).expect(200)).body.incidents;
    expect(await at(TO, '2025-07-01T00:00:00.001Z')).toMatchObject({ total: 1, bySeverity: expect.arrayContaining([{ key: '4', count: 1 }]) });
    expect(await at(FROM, '2025-01-01T00:00:00.001Z')).toMatchObject({ total: 1, bySeverity: expect.arrayContaining([{ key: '2', count: 1 }]) });
    expect(await at('2024-12-31T23:59:59.999Z', FROM)).toMatchObject({ total: 1, byCategory: [{ key: 'availability', count: 1 }] });
    // An empty window answers zeros and nulls, not errors.
    const empty = (await figuresOf('gridpower', '2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z').expect(200)).body;
    expect(empty).toMatchObject({ incidents: { total: 0, byCategory: [] }, nearMisses: 0, awarenessToContainment: { count: 0, medianSeconds: null, p90Seconds: null } });
    expect(empty.nis2).toMatchObject({ incidents: 0 });
  });

  it('counts near misses by when they were triaged as such, and no other outcome', async () => {
    const triage = async (slug: DemoOrgSlug, outcome: string, extra: object = {}) => {
      const report = await as(slug, 'handler').post('/event-reports', { reporterName: 'Desk', description: `a ${outcome}` }).expect(201);
      await as(slug, 'handler').post(`/event-reports/${report.body.id}/triage`, { outcome, reason: 'r', version: report.body.version, ...extra }).expect(200);
    };
    await triage('gridpower', 'near_miss');
    await triage('gridpower', 'near_miss');
    await triage('gridpower', 'dismiss');
    // Promoted as an exercise: neither a near miss nor, aware now, an incident of the window below.
    await triage('gridpower', 'promote', { incident: { title: 'drill', ...fraud, severity: 2, marking: 'GREEN', exercise: true, awareAt: new Date().toISOString() } });
    await triage('northbank', 'near_miss');
    const later = new Date(Date.parse(suiteStart) + 86_400_000).toISOString();
    const res = await figuresOf('gridpower', suiteStart, later).expect(200);
    expect(res.body.nearMisses).toBe(2);
    expect(res.body.incidents.total).toBe(0);
    expect((await figuresOf('northbank', suiteStart, later).expect(200)).body.nearMisses).toBe(1);
    // Triaged now, so not in 2025.
    expect((await figuresOf('gridpower').expect(200)).body.nearMisses).toBe(0);
  });

  it('answers CSV for Accept: text/csv or format=csv: one section,key,value table, as an attachment', async () => {
    const query = `from=${FROM}&to=${TO}`;
    const viaAccept = await as('gridpower', 'viewer').get(`/management-review/figures?${query}`).set('accept', 'text/csv').expect(200);
    expect(viaAccept.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(viaAccept.headers['content-disposition']).toBe('attachment; filename="management-review-figures_20250101T000000Z_20250701T000000Z.csv"');
    const csv = viaAccept.text;
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, 4)).toEqual(['section,key,value', `window,from,${FROM}`, `window,to,${TO}`, `organisation,id,${hub.orgId('gridpower')}`]);
    for (const line of [
      'incidents,total,5',
      'incidents.byCategory,availability,2',
      'incidents.byCategory,fraud,3',
      'incidents.bySeverity,3,2',
      'incidents.byPhase,closed,1',
      'nearMisses,count,0',
      'awarenessToContainment,count,4',
      'awarenessToContainment,medianSeconds,12600',
      'awarenessToContainment,p90Seconds,65880',
      'timePerPhase.count,detect_report,4',
      'nis2,incidents,3',
      'nis2.met,early-warning,2',
      'nis2.late,notification,1',
      'nis2.missed,final-report,2',
      'nis2.pending,final-report,0',
    ]) {
      expect(lines).toContain(line);
    }
    expect(lines.every((line) => line === '' || line.split(',').length === 3)).toBe(true);
    // format=csv says the same; format=json wins over the Accept header.
    const viaFormat = await as('gridpower', 'viewer').get(`/management-review/figures?${query}&format=csv`).expect(200);
    expect(viaFormat.text).toBe(csv);
    const json = await as('gridpower', 'viewer').get(`/management-review/figures?${query}&format=json`).set('accept', 'text/csv').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body.incidents.total).toBe(5);
  });

  it('refuses a window that is not one, naming the field (400), and callers without a review role (403)', async () => {
    const bad: [string, string][] = [
      ['', 'from'],
      [`from=${FROM}`, 'to'],
      [`from=yesterday&to=${TO}`, 'from'],
      [`from=${FROM}&to=2025-02-30T00:00:00Z`, 'to'],
      [`from=${TO}&to=${FROM}`, 'to'],
      [`from=${FROM}&to=${FROM}`, 'to'],
      [`from=${FROM}&to=2030-01-01T00:00:00.001Z`, 'to'],
      [`from=${FROM}&to=${TO}&format=xml`, 'format'],
      [`from=${FROM}&to=${TO}&organisation=${hub.orgId('northbank')}`, 'organisation'],
    ];
    for (const [query, field] of bad) {
      const res = await as('gridpower', 'viewer').get(`/management-review/figures?${query}`).expect(400);
      expect(`${query}: ${res.body.details.map((d: { field: string }) => d.field)}`).toContain(`${query}: ${field}`);
    }
    // Five years exactly is allowed.
    await as('gridpower', 'viewer').get(`/management-review/figures?from=${FROM}&to=2030-01-01T00:00:00Z`).expect(200);
    for (const role of ['admin', 'handler', 'viewer']) await figuresOf('gridpower', FROM, TO, role).expect(200);
    // The coordinator role reviews joint incidents; a member has none.
    await figuresOf('national-csirt', FROM, TO, 'coordinator').expect(403);
    await as('gridpower', 'admin').get(`/management-review/joint-figures?from=${FROM}&to=${TO}`).expect(403);
    await hub.http().get(`/api/v1/management-review/figures?from=${FROM}&to=${TO}`).expect(401);
  });

  it("counts the organisation's improvement actions: open and in progress now, overdue among them, done in the window", async () => {
    // Aware in 2019: in none of the windows above.
    const source = await incident('gridpower', 'A1', { ...fraud, severity: 2, awareAt: '2019-06-01T00:00:00Z' }, ['assess_decide', 'learn_lessons']);
    const raise = async (slug: DemoOrgSlug, incidentId: string, title: string, dueOn: string) =>
      (await as(slug, 'handler').post(`/incidents/${incidentId}/actions`, { kind: 'control', title, dueOn, marking: 'AMBER' }).expect(201)).body;
    const move = async (slug: DemoOrgSlug, action: { id: string; version: number }, body: object) =>
      (await as(slug, 'handler').patch(`/improvement-actions/${action.id}`, { version: action.version, ...body }).expect(200)).body;
    await raise('gridpower', source, 'overdue, open', '2020-01-01');
    await move('gridpower', await raise('gridpower', source, 'in progress', '2999-01-01'), { state: 'in_progress' });
    const finished = await move('gridpower', await raise('gridpower', source, 'finished', '2999-01-01'), { state: 'in_progress' });
    await move('gridpower', finished, { state: 'done' });
    await move('gridpower', await raise('gridpower', source, 'dropped', '2020-01-01'), { state: 'dropped', dropReason: 'superseded' });
    // Raised from an exercise: an exercise too, counted nowhere.
    const drill = await incident('gridpower', 'AX', { ...fraud, severity: 2, exercise: true, awareAt: '2019-06-01T00:00:00Z' }, ['assess_decide', 'learn_lessons']);
    expect(await raise('gridpower', drill, 'from the drill', '2020-01-01')).toMatchObject({ exercise: true });
    const theirs = await incident('northbank', 'A2', { ...fraud, severity: 2, awareAt: '2019-06-01T00:00:00Z' }, ['assess_decide', 'learn_lessons']);
    await raise('northbank', theirs, 'not gridpower', '2020-01-01');

    // Open: the overdue one and the one in progress (the dropped and the done are neither); done: now, so in a window
    // around now and not in 2025.
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await figuresOf('gridpower', suiteStart, later).expect(200)).body.improvementActions).toEqual({ open: 2, overdue: 1, done: 1 });
    expect((await figuresOf('gridpower').expect(200)).body.improvementActions).toEqual({ open: 2, overdue: 1, done: 0 });
    expect((await figuresOf('northbank', suiteStart, later).expect(200)).body.improvementActions).toEqual({ open: 1, overdue: 1, done: 0 });
    const csv = await as('gridpower', 'viewer').get(`/management-review/figures?from=${encodeURIComponent(suiteStart)}&to=${encodeURIComponent(later)}&format=csv`).expect(200);
    expect(csv.text.split('\r\n')).toEqual(expect.arrayContaining(['improvementActions,open,2', 'improvementActions,overdue,1', 'improvementActions,done,1']));
  });

  describe("the coordinator's joint figures", () => {
    const joints: Record<string, { id: string; createdAt: string; closedAt: string | null }> = {};
    const contactsOf = async (slug: DemoOrgSlug) =>
      ((await as(slug, 'admin').get(`/organisations/${hub.orgId(slug)}/points-of-contact`).expect(200)).body.items as { id: string }[]).map((c) => c.id);
    const join = async (jointId: string, slug: DemoOrgSlug, accept: boolean) => {
      await coordinator().post(`/joint-incidents/${jointId}/participants`, { organisationId: hub.orgId(slug), role: 'affected' }).expect(201);
      if (accept) {
        await as(slug, 'admin').post(`/joint-incidents/${jointId}/participants/${hub.orgId(slug)}/accept`, { pointsOfContact: (await contactsOf(slug)).slice(0, 2) }).expect(200);
      }
    };
    async function joint(name: string, body: object, phases: string[], participants: [DemoOrgSlug, boolean][]) {
      const created = await coordinator().post('/joint-incidents', { title: name, marking: 'AMBER', ...body }).expect(201);
      for (const [slug, accept] of participants) await join(created.body.id, slug, accept);
      let view = created.body;
      for (const phase of phases) {
        if (phase === 'closed') {
          // Closing needs the joint report published.
          const report = await coordinator().put(`/joint-incidents/${created.body.id}/report`, { summary: 'lessons', marking: 'AMBER' }).expect(200);
          await coordinator().post(`/joint-incidents/${created.body.id}/report/publish`, { version: report.body.version }).expect(200);
          view = (await coordinator().get(`/joint-incidents/${created.body.id}`).expect(200)).body;
        }
        view = (await coordinator().post(`/joint-incidents/${created.body.id}/phase`, {
          phase, reason: `to ${phase}`, version: view.version, ...(phase === 'closed' ? { closingSummary: 'done' } : {}),
        }).expect(200)).body;
      }
      joints[name] = { id: created.body.id, createdAt: created.body.createdAt, closedAt: view.closedAt };
    }
    const jointFigures = (from: string, to: string) =>
      coordinator().get(`/management-review/joint-figures?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);

    beforeAll(async () => {
      const agreement = await coordinator().post('/agreements', {
        title: 'Review agreement', text: 'We coordinate.', parties: [hub.orgId('northbank'), hub.orgId('gridpower')],
        defaultMarking: 'AMBER', validFrom: new Date(Date.now() - 60_000).toISOString(),
      }).expect(201);
      agreementId = agreement.body.id;
      for (const slug of ['northbank', 'gridpower'] as const) {
        const [a, b] = await contactsOf(slug);
        await as(slug, 'admin').post(`/agreements/${agreementId}/acceptances`, {
          version: 1, pointsOfContact: [a, b].map((id) => ({ duty: 'point of contact', pointOfContactId: id })),
        }).expect(201);
      }
      // J1: two participants accepted, walked to closed. J2: one accepted, one only invited; in respond.
      // J3: nobody; still in detect_report. JX: an exercise with everything, counted nowhere.
      await joint('J1', { ...fraud, severity: 3 }, ['assess_decide', 'respond', 'learn_lessons', 'closed'], [['gridpower', true], ['northbank', true]]);
      await joint('J2', { ...ddos, severity: 2 }, ['assess_decide', 'respond'], [['northbank', true], ['gridpower', false]]);
      await joint('J3', { ...fraud, severity: 2 }, [], []);
      await joint('JX', { ...ddos, severity: 4, exercise: true }, ['assess_decide', 'respond', 'learn_lessons', 'closed'], [['gridpower', true], ['northbank', true]]);
      // Actions raised in the closed reviews: shared with the coordination team or not, and one from the exercise.
      const raise = (slug: DemoOrgSlug, joint: string, dueOn: string, shareWithCoordinator: boolean) =>
        as(slug, 'handler').post(`/joint-incidents/${joints[joint].id}/actions`, { kind: 'plan', title: `from ${joint}`, dueOn, marking: 'AMBER', shareWithCoordinator }).expect(201);
      await raise('gridpower', 'J1', '2020-01-01', true);
      await raise('northbank', 'J1', '2999-01-01', true);
      await raise('northbank', 'J1', '2020-01-01', false);
      await raise('gridpower', 'JX', '2020-01-01', true);
    });

    it('counts the improvement actions its participants share with it from its joint reviews, exercises left out', async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      expect((await jointFigures(suiteStart, to).expect(200)).body.improvementActions).toEqual({ open: 2, overdue: 1, done: 0 });
    });

    it('counts the joint incidents opened in the window, times opening to closing, phases and participants', async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const res = await jointFigures(suiteStart, to).expect(200);
      expect(res.body).toMatchObject({ coordinatorId: hub.orgId('national-csirt'), from: suiteStart, to });
      // The demo's own joint incidents were opened before the suite started: outside.
      expect(res.body.jointIncidents).toEqual({
        total: 3,
        byCategory: [{ key: 'availability', count: 1 }, { key: 'fraud', count: 2 }],
        bySeverity: [{ key: '1', count: 0 }, { key: '2', count: 2 }, { key: '3', count: 1 }, { key: '4', count: 0 }],
        byPhase: [
          { key: 'detect_report', count: 1 },
          { key: 'assess_decide', count: 0 },
          { key: 'respond', count: 1 },
          { key: 'learn_lessons', count: 0 },
          { key: 'closed', count: 1 },
        ],
      });
      // Closed: J1 only, so its time is the median and the p90.
      const j1 = (Date.parse(joints.J1.closedAt!) - Date.parse(joints.J1.createdAt)) / 1000;
      expect(res.body.openingToClosing.count).toBe(1);
      expect(Math.abs(res.body.openingToClosing.medianSeconds - j1)).toBeLessThan(0.01);
      expect(Math.abs(res.body.openingToClosing.p90Seconds - j1)).toBeLessThan(0.01);
      // Took part: J1 2, J2 1 (the invited one did not), J3 0: the median is 1.
      expect(res.body.participantsPerJointIncident).toEqual({ median: 1 });
      // Left detect_report and assess_decide: J1, J2; respond and learn_lessons: J1.
      const per = await Promise.all(['J1', 'J2', 'J3'].map((name) => phaseSeconds(`/joint-incidents/${joints[name].id}`, 'national-csirt', 'coordinator', 'joint_incident')));
      const expected = { detect_report: 2, assess_decide: 2, respond: 1, learn_lessons: 1 };
      expect(res.body.timePerPhase.map((p: { phase: string; count: number }) => [p.phase, p.count])).toEqual(Object.entries(expected));
      for (const item of res.body.timePerPhase as { phase: string; medianSeconds: number }[]) {
        const values = per.flatMap((seconds) => (seconds.has(item.phase) ? [seconds.get(item.phase)!] : []));
        expect(Math.abs(item.medianSeconds - median(values))).toBeLessThan(0.01);
      }

      const csv = await jointFigures(suiteStart, to).set('accept', 'text/csv').expect(200);
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="management-review-joint-figures_\d{8}T\d{6}Z_\d{8}T\d{6}Z\.csv"$/);
      const lines = csv.text.split('\r\n');
      for (const line of ['jointIncidents,total,3', 'jointIncidents.byPhase,closed,1', 'openingToClosing,count,1', 'participantsPerJointIncident,median,1', 'timePerPhase.count,respond,1']) {
        expect(lines).toContain(line);
      }
    });

    it("is the coordinator's alone: a window before the suite holds none of these, and members are refused", async () => {
      const before = (await jointFigures('2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z').expect(200)).body;
      expect(before.jointIncidents.total).toBe(0);
      expect(before.participantsPerJointIncident).toEqual({ median: null });
      await as('northbank', 'viewer').get(`/management-review/joint-figures?from=${FROM}&to=${TO}`).expect(403);
      await coordinator().get(`/management-review/joint-figures?from=${TO}&to=${FROM}`).expect(400);
    });
  });
});

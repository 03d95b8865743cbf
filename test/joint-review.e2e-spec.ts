import pg from 'pg';
import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The joint lessons-learned review over HTTP (issue 11 section 2): contributions in learn_lessons only, each under
 * its own marking and audience; near misses from the member's own triage; the joint report quoting contributions,
 * each quote shown only to a reader that may read the contribution itself; publishing; closing gated on it. A
 * pseudonymous participant's organisation never reaches another participant.
 */
describe('joint incidents: the lessons-learned review', () => {
  let hub: TestHub;
  const COORD = 'national-csirt';
  const seen: { who: string; body: string }[] = [];
  let joint: string;
  let jointVersion: number;
  let gridParticipant: string;
  const contributions: Record<string, { id: string; version: number }> = {};
  let report: { id: string; version: number };

  const token = (slug: DemoOrgSlug, role = 'admin') => hub.token(slug, role);
  function keep<R extends { body: unknown; text?: string }>(who: string, res: R): R {
    seen.push({ who, body: `${JSON.stringify(res.body ?? '')} ${res.text ?? ''}` });
    return res;
  }
  const send = async (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, slug: DemoOrgSlug, role: string, body?: unknown) =>
    keep(`${slug}/${role}`, await hub.http()[method](path).set(bearer(token(slug, role))).send((body ?? {}) as object));
  const get = (path: string, slug: DemoOrgSlug, role = 'admin') => send('get', path, slug, role);
  const J = () => `/api/v1/joint-incidents/${joint}`;
  const contribute = (slug: DemoOrgSlug, body: Record<string, unknown>, role = 'handler') =>
    send('put', `${J()}/contribution`, slug, role, { whatHappened: `${slug}: phishing reached the mailboxes`, whatWorked: `${slug}: the takedown was quick`, whatDidNot: 'slow sharing', recommendations: 'share earlier', marking: 'AMBER', audience: 'all', ...body });
  const readable = async (slug: DemoOrgSlug, role = 'admin') => ((await get(`${J()}/contributions`, slug, role)).body.items as { id: string }[]).map((c) => c.id).sort();
  const reportOf = async (slug: DemoOrgSlug, role = 'admin') => get(`${J()}/report`, slug, role);

  async function nearMiss(slug: DemoOrgSlug, triage = true): Promise<string> {
    const created = await hub.http().post('/api/v1/event-reports').set(bearer(token(slug, 'handler'))).send({ reporterName: 'SOC', description: `Lookalike login page at ${slug}` }).expect(201);
    if (triage) {
      await hub.http().post(`/api/v1/event-reports/${created.body.id}/triage`).set(bearer(token(slug, 'handler'))).send({ outcome: 'near_miss', reason: 'blocked at the gateway', version: created.body.version }).expect(200);
    }
    return created.body.id;
  }
  async function phase(to: string, body: Record<string, unknown> = {}) {
    const moved = await send('post', `${J()}/phase`, COORD, 'coordinator', { phase: to, reason: 'review', version: jointVersion, ...body });
    if (moved.status === 200) jointVersion = moved.body.version;
    return moved;
  }
  async function ownerRows<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    const admin = new pg.Client({ connectionString: hub.db.adminUrl });
    await admin.connect();
    try {
      return (await admin.query<T>(sql, params)).rows;
    } finally {
      await admin.end();
    }
  }

  /** SQL as hub_app in one organisation's tenant context (a shared read), rolled back: the database's own answer, below the service. */
  async function asApp<T>(slug: DemoOrgSlug, work: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
    const client = await hub.appClient();
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true), set_config('hub.reads', 'shared', true)",
        [hub.orgId(slug), DEMO_ORGANISATIONS.find((o) => o.slug === slug)!.kind, hub.userId(slug, slug === COORD ? 'coordinator' : 'admin')],
      );
      return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  }
  /** The SQLSTATE of a statement run as hub_app, or 'ok'. */
  const sqlState = (slug: DemoOrgSlug, sql: string, params: unknown[]) =>
    asApp(slug, async (q) => q(sql, params).then(() => 'ok', (e: { code?: string }) => e.code ?? String(e)));

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
    const opened = await send('post', '/api/v1/joint-incidents', COORD, 'coordinator', { title: 'Sector phishing', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' });
    expect(opened.status).toBe(201);
    joint = opened.body.id;
    jointVersion = opened.body.version;
    for (const p of [{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }] as const) {
      expect((await send('post', `${J()}/participants`, COORD, 'coordinator', { organisationId: hub.orgId(p.slug), role: 'affected', pseudonymous: 'pseudonymous' in p })).status).toBe(201);
      const contacts = await get(`/api/v1/organisations/${hub.orgId(p.slug)}/points-of-contact`, p.slug);
      expect((await send('post', `${J()}/participants/${hub.orgId(p.slug)}/accept`, p.slug, 'admin', { pointsOfContact: [contacts.body.items[0].id] })).status).toBe(200);
    }
    const roster = await get(`${J()}/participants`, COORD, 'coordinator');
    gridParticipant = roster.body.items.find((p: { organisationId: string }) => p.organisationId === hub.orgId('gridpower')).id;
  });
  afterAll(async () => hub?.close());

  it('takes contributions and the report in learn_lessons only', async () => {
    const early = await contribute('northbank', {});
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'JOINT_REVIEW_NOT_OPEN', details: [{ field: 'phase', rule: 'learnLessons' }] });
    expect((await send('put', `${J()}/report`, COORD, 'coordinator', { marking: 'AMBER' })).body.code).toBe('JOINT_REVIEW_NOT_OPEN');
    expect((await phase('assess_decide')).status).toBe(200);
    expect((await phase('learn_lessons')).status).toBe(200);
  });

  it("counts only the contributor's own near misses, and says nothing of whose another id is", async () => {
    const theirs = await nearMiss('gridpower');
    const untriaged = await nearMiss('northbank', false);
    for (const id of [theirs, untriaged, '00000000-0000-4000-8000-000000000001']) {
      const refused = await contribute('northbank', { nearMissIds: [id] });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'JOINT_CONTRIBUTION_NOT_OWN_NEAR_MISS', details: [{ field: 'nearMissIds[0]', rule: 'ownNearMiss' }] });
      expect(refused.text).not.toContain(hub.orgId('gridpower'));
      expect(refused.text).not.toContain('GridPower');
    }
    const own = await nearMiss('northbank');
    const created = await contribute('northbank', { nearMissIds: [own] });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ author: { id: hub.orgId('northbank'), label: 'Northbank' }, audience: 'all', marking: 'AMBER', nearMissIds: [own], nearMisses: { count: 1 } });
    expect(Object.keys(created.body.nearMisses.items[0]).sort()).toEqual(['decidedAt', 'receivedAt']);
    contributions.northbank = created.body;
  });

  it('refuses a bad contribution naming the field: shape, RED without users, a second one without version, a stale version', async () => {
    expect((await contribute('st-marys-hospital', { audience: 'chosen' })).body.details[0]).toMatchObject({ field: 'audience' });
    expect((await contribute('st-marys-hospital', { marking: 'amber' })).body.details[0]).toMatchObject({ field: 'marking' });
    const red = await contribute('st-marys-hospital', { marking: 'RED' });
    expect(red.status).toBe(422);
    expect(red.body.details[0]).toMatchObject({ field: 'audienceUsers', rule: 'markingRED' });
    const outsider = await contribute('st-marys-hospital', { marking: 'RED', audienceUsers: [hub.userId('netwatch-isp', 'viewer')] });
    expect(outsider.status).toBe(422);
    expect(outsider.body.details[0]).toMatchObject({ field: 'audienceUsers[0]', rule: 'participantUser' });
    const again = await contribute('northbank', {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'JOINT_CONTRIBUTION_EXISTS', details: [{ field: 'version' }] });
    expect((await contribute('northbank', { version: 99 })).body.code).toBe('STALE_VERSION');
    // A version past PostgreSQL's integer is a 400 naming the field, not an overflow in the database (500).
    for (const [method, path, slug, role, body] of [
      ['put', 'contribution', 'northbank', 'handler', { marking: 'AMBER', audience: 'all', version: 2 ** 31 }],
      ['patch', 'contribution', 'northbank', 'handler', { version: 2 ** 31 }],
      ['put', 'report', COORD, 'coordinator', { marking: 'AMBER', version: 2 ** 31 }],
      ['post', 'report/publish', COORD, 'coordinator', { version: 2 ** 31 }],
    ] as const) {
      const huge = await send(method, `${J()}/${path}`, slug, role, body);
      expect({ path, status: huge.status, field: huge.body.details?.[0]?.field }).toEqual({ path, status: 400, field: 'version' });
    }
    expect((await contribute('northbank', {}, 'viewer')).status).toBe(403);
    expect((await contribute('netwatch-isp', {})).status).toBe(404);
    expect((await send('patch', `${J()}/contribution`, 'st-marys-hospital', 'handler', { audience: 'all', version: 1 })).status).toBe(404);
  });

  it('answers concurrent first contributions of one organisation with one contribution and a 409 for the others, never a 500', async () => {
    const body = { audience: 'coordinator', recommendations: 'keep the hospital out of the mailing list' };
    const raced = await Promise.all([1, 2, 3, 4].map(() => contribute('st-marys-hospital', body)));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    for (const refused of raced.filter((r) => r.status === 409)) expect(refused.body).toMatchObject({ code: 'JOINT_CONTRIBUTION_EXISTS', details: [{ field: 'version' }] });
    contributions.hospital = raced.find((r) => r.status === 200)!.body;
    const [{ n }] = await ownerRows<{ n: number }>('SELECT count(*)::int AS n FROM joint_contributions WHERE joint_incident_id = $1 AND org_id = $2', [joint, hub.orgId('st-marys-hospital')]);
    expect(n).toBe(1);
  });

  it('reaches the coordination team only, or every accepted participant; a pseudonym to all but the coordinator', async () => {
    const grid = await contribute('gridpower', { nearMissIds: [] });
    expect(grid.status).toBe(200);
    contributions.grid = grid.body;
    const team = await contribute(COORD, { whatHappened: 'We ran the bridge' }, 'coordinator');
    expect(team.status).toBe(200);
    contributions.team = team.body;

    const all = [contributions.northbank.id, contributions.hospital.id, contributions.grid.id, contributions.team.id].sort();
    expect(await readable(COORD, 'viewer')).toEqual(all);
    expect(await readable('northbank')).toEqual([contributions.northbank.id, contributions.grid.id, contributions.team.id].sort());
    expect(await readable('gridpower')).toEqual([contributions.northbank.id, contributions.grid.id, contributions.team.id].sort());
    expect(await readable('st-marys-hospital')).toEqual(all);
    expect((await get(`${J()}/contributions/${contributions.hospital.id}`, 'northbank')).status).toBe(404);
    expect((await get(`${J()}/contributions`, 'netwatch-isp')).status).toBe(404);

    const gridAsOther = await get(`${J()}/contributions/${contributions.grid.id}`, 'northbank');
    expect(gridAsOther.body.author).toEqual({ id: gridParticipant, label: expect.stringMatching(/^Participant [A-Z]+$/) });
    expect((await get(`${J()}/contributions/${contributions.grid.id}`, COORD, 'viewer')).body.author).toEqual({ id: hub.orgId('gridpower'), label: 'GridPower Energy' });
    const northbankAsOther = await get(`${J()}/contributions/${contributions.northbank.id}`, 'gridpower');
    expect(northbankAsOther.body).not.toHaveProperty('nearMissIds');
    expect(northbankAsOther.body.nearMisses).toEqual({ count: 1, items: [{ receivedAt: expect.any(String), decidedAt: expect.any(String) }] });
  });

  it('RED reaches only the named users', async () => {
    const red = await send('patch', `${J()}/contribution`, COORD, 'coordinator', { marking: 'RED', audienceUsers: [hub.userId('northbank', 'viewer')], version: contributions.team.version });
    expect(red.status).toBe(200);
    contributions.team = red.body;
    expect(await readable('northbank', 'viewer')).toContain(contributions.team.id);
    expect(await readable('northbank', 'admin')).not.toContain(contributions.team.id);
    expect(await readable('st-marys-hospital')).not.toContain(contributions.team.id);
    const back = await send('patch', `${J()}/contribution`, COORD, 'coordinator', { marking: 'GREEN', version: contributions.team.version });
    expect(back.status).toBe(200);
    expect(back.body.audienceUsers).toEqual([]);
    contributions.team = back.body;
    expect(await readable('st-marys-hospital')).toContain(contributions.team.id);
  });

  it('compiles the report from references, refusing quotes the compiler may not read or ranges outside the field', async () => {
    const missing = await send('put', `${J()}/report`, COORD, 'coordinator', { marking: 'AMBER', quotes: [{ contributionId: '00000000-0000-4000-8000-000000000002', field: 'whatWorked' }] });
    expect(missing.status).toBe(422);
    expect(missing.body.details[0]).toMatchObject({ field: 'quotes[0].contributionId', rule: 'readableContribution' });
    const outside = await send('put', `${J()}/report`, COORD, 'coordinator', { marking: 'AMBER', quotes: [{ contributionId: contributions.northbank.id, field: 'whatWorked', start: 0, end: 5000 }] });
    expect(outside.body.details[0]).toMatchObject({ field: 'quotes[0].end', rule: 'rangeInField' });
    expect((await send('put', `${J()}/report`, COORD, 'coordinator', { marking: 'AMBER', quotes: [{ contributionId: contributions.northbank.id, field: 'title' }] })).body.details[0].field).toBe('quotes.0.field');
    expect((await send('put', `${J()}/report`, 'northbank', 'admin', { marking: 'AMBER' })).status).toBe(403);

    // Concurrent first compilations: one report, a 409 for the others (never a 500 from the unique index).
    const raced = await Promise.all([1, 2, 3].map(() => send('put', `${J()}/report`, COORD, 'coordinator', {
      summary: 'Phishing across the sector',
      findings: 'Takedowns worked; sharing was slow',
      recommendations: 'Share indicators within the hour',
      marking: 'AMBER',
      quotes: [
        { contributionId: contributions.northbank.id, field: 'whatWorked', start: 0, end: 9 },
        { contributionId: contributions.hospital.id, field: 'recommendations' },
        { contributionId: contributions.grid.id, field: 'whatHappened' },
      ],
    })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const refused of raced.filter((r) => r.status === 409)) expect(refused.body).toMatchObject({ code: 'JOINT_REPORT_EXISTS', details: [{ field: 'version' }] });
    const compiled = raced.find((r) => r.status === 200)!;
    expect(compiled.body).toMatchObject({ status: 'draft', publishedAt: null, nearMissCount: 1 });
    expect(compiled.body.quotes).toEqual([
      { withheld: false, contributionId: contributions.northbank.id, field: 'whatWorked', author: { id: hub.orgId('northbank'), label: 'Northbank' }, text: 'northbank' },
      expect.objectContaining({ withheld: false, text: 'keep the hospital out of the mailing list' }),
      expect.objectContaining({ withheld: false, author: { id: hub.orgId('gridpower'), label: 'GridPower Energy' } }),
    ]);
    report = compiled.body;
    // The report row holds references only, never the quoted text.
    const [stored] = await ownerRows<{ quotes: unknown }>('SELECT quotes FROM joint_reports WHERE id = $1', [report.id]);
    expect(JSON.stringify(stored.quotes)).not.toContain('hospital out of');
    expect((await reportOf('northbank')).status).toBe(404);
  });

  it('refuses to close before the report is published', async () => {
    const refused = await phase('closed', { closingSummary: 'Contained' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'JOINT_REPORT_REQUIRED_TO_CLOSE', details: [{ field: 'phase', rule: 'publishedReportToClose' }] });
  });

  it('publishes to the participants: each reads the quotes it may read, a withheld marker (naming nothing) for the rest', async () => {
    expect((await send('post', `${J()}/report/publish`, COORD, 'coordinator', { version: report.version + 1 })).body.code).toBe('STALE_VERSION');
    const published = await send('post', `${J()}/report/publish`, COORD, 'coordinator', { version: report.version });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', publishedAt: expect.any(String) });
    report = published.body;

    const northbank = await reportOf('northbank', 'viewer');
    expect(northbank.status).toBe(200);
    expect(northbank.body.quotes[1]).toEqual({ withheld: true });
    expect(northbank.body.quotes[0]).toMatchObject({ withheld: false, text: 'northbank' });
    expect(northbank.body.quotes[2]).toMatchObject({ withheld: false, author: { id: gridParticipant, label: expect.stringMatching(/^Participant [A-Z]+$/) } });
    expect(northbank.body.nearMissCount).toBe(1);
    expect(northbank.text).not.toContain(contributions.hospital.id);
    expect((await reportOf('st-marys-hospital')).body.quotes[1]).toMatchObject({ withheld: false, contributionId: contributions.hospital.id });
    expect((await reportOf('gridpower')).body.quotes.map((q: { withheld: boolean }) => q.withheld)).toEqual([false, true, false]);
    expect((await reportOf('netwatch-isp')).status).toBe(404);

    expect((await send('put', `${J()}/report`, COORD, 'coordinator', { marking: 'AMBER', version: report.version })).body.code).toBe('JOINT_REPORT_PUBLISHED');
    expect((await send('post', `${J()}/report/publish`, COORD, 'coordinator', { version: report.version })).status).toBe(409);
  });

  it('withholds in the shared view itself each quote of a contribution the reader may not read', async () => {
    const quotesOf = (slug: DemoOrgSlug) => asApp(slug, (q) => q('SELECT quotes FROM shared_joint_reports WHERE joint_incident_id = $1', [joint]));
    const [northbank] = await quotesOf('northbank');
    expect(northbank.quotes).toEqual([
      { contributionId: contributions.northbank.id, field: 'whatWorked', start: 0, end: 9 },
      { withheld: true },
      { contributionId: contributions.grid.id, field: 'whatHappened' },
    ]);
    expect(JSON.stringify(northbank)).not.toContain(contributions.hospital.id);
    const [grid] = await quotesOf('gridpower');
    expect(grid.quotes).toEqual([expect.objectContaining({ contributionId: contributions.northbank.id }), { withheld: true }, expect.objectContaining({ contributionId: contributions.grid.id })]);
    const [hospital] = await quotesOf('st-marys-hospital');
    expect(hospital.quotes).toEqual([expect.objectContaining({ contributionId: contributions.northbank.id }), expect.objectContaining({ contributionId: contributions.hospital.id }), expect.objectContaining({ contributionId: contributions.grid.id })]);
  });

  it('keeps the fields the published report quotes final: 409 in the service, refused in the database too', async () => {
    const quoted = await send('patch', `${J()}/contribution`, 'northbank', 'handler', { whatWorked: 'rewritten after publication', version: contributions.northbank.version });
    expect(quoted.status).toBe(409);
    expect(quoted.body).toMatchObject({ code: 'JOINT_CONTRIBUTION_QUOTED', details: [{ field: 'whatWorked', rule: 'quotedInPublishedReport' }] });
    const replaced = await contribute('northbank', { whatWorked: 'rewritten', version: contributions.northbank.version });
    expect(replaced.body).toMatchObject({ code: 'JOINT_CONTRIBUTION_QUOTED', details: [{ field: 'whatWorked' }] });
    expect((await reportOf('gridpower')).body.quotes[0]).toMatchObject({ text: 'northbank' });
    // A field the report does not quote still changes.
    const unquoted = await send('patch', `${J()}/contribution`, 'northbank', 'handler', { whatDidNot: 'slow sharing, and late', version: contributions.northbank.version });
    expect(unquoted.status).toBe(200);
    contributions.northbank = unquoted.body;
    expect(await sqlState('northbank', "UPDATE joint_contributions SET what_worked = 'below the service' WHERE id = $1", [contributions.northbank.id])).toBe('23514');
    expect(await sqlState('northbank', "UPDATE joint_contributions SET what_did_not = 'below the service' WHERE id = $1", [contributions.northbank.id])).toBe('ok');
  });

  it('follows an audience change of a quoted contribution at once', async () => {
    const opened = await send('patch', `${J()}/contribution`, 'st-marys-hospital', 'handler', { audience: 'all', version: contributions.hospital.version });
    expect(opened.status).toBe(200);
    contributions.hospital = opened.body;
    expect((await reportOf('northbank')).body.quotes[1]).toMatchObject({ withheld: false, text: 'keep the hospital out of the mailing list' });
    const narrowed = await send('patch', `${J()}/contribution`, 'northbank', 'handler', { audience: 'coordinator', version: contributions.northbank.version });
    expect(narrowed.status).toBe(200);
    contributions.northbank = narrowed.body;
    for (const slug of ['gridpower', 'st-marys-hospital'] as const) {
      const seenBy = await reportOf(slug);
      expect(seenBy.body.quotes[0]).toEqual({ withheld: true });
      expect(seenBy.body.nearMissCount).toBe(0);
      expect((await get(`${J()}/contributions/${contributions.northbank.id}`, slug)).status).toBe(404);
    }
    expect((await reportOf(COORD, 'viewer')).body.quotes[0]).toMatchObject({ withheld: false });
  });

  it("withdraws a removed participant's reads, and its contribution leaves the other participants", async () => {
    expect((await send('delete', `${J()}/participants/${hub.orgId('st-marys-hospital')}`, COORD, 'coordinator', { reason: 'not affected after all' })).status).toBe(200);
    expect((await reportOf('st-marys-hospital')).status).toBe(404);
    expect((await get(`${J()}/contributions`, 'st-marys-hospital')).status).toBe(404);
    expect((await reportOf('northbank')).body.quotes[1]).toEqual({ withheld: true });
    expect(await readable('northbank')).not.toContain(contributions.hospital.id);
    expect((await reportOf(COORD, 'viewer')).body.quotes[1]).toMatchObject({ withheld: false });
  });

  it("logs every step in the joint incident's chain and routes each outbox row by the keys that read it", async () => {
    const log = await get(`${J()}/log`, COORD, 'coordinator');
    const actions = log.body.items.map((e: { action: string }) => e.action);
    for (const action of ['joint_contribution.submitted', 'joint_contribution.updated', 'joint_report.compiled', 'joint_report.published']) expect(actions).toContain(action);
    expect(log.body.items.find((e: { action: string }) => e.action === 'joint_report.published')).toMatchObject({ details: { reportId: report.id, quotes: 3, marking: 'AMBER' } });
    // Northbank's audience change (its edit of an unquoted field after publication is logged too, without audienceFrom).
    expect(log.body.items.find((e: { action: string; details: { contributionId?: string; audienceFrom?: string } }) => e.action === 'joint_contribution.updated' && e.details.contributionId === contributions.northbank.id && e.details.audienceFrom)).toMatchObject({
      details: { audience: 'coordinator', audienceFrom: 'all' },
    });
    expect((await get(`${J()}/log/verify`, COORD, 'coordinator')).body).toMatchObject({ valid: true });

    const rows = await ownerRows<{ event_type: string; aggregate_id: string; grantees: string[] }>(
      "SELECT event_type, aggregate_id, grantees FROM outbox WHERE payload ->> 'jointIncidentId' = $1 AND aggregate_type IN ('joint_report', 'joint_contribution') ORDER BY seq",
      [joint],
    );
    const publishedRow = rows.find((r) => r.event_type === 'joint_report.published')!;
    expect(publishedRow.grantees).toEqual([hub.orgId(COORD), hub.orgId('gridpower'), hub.orgId('northbank'), hub.orgId('st-marys-hospital')].map((id) => `org:${id}`).sort());
    // Northbank's narrowing is routed to those who lost it too; the row is Northbank's, so GridPower appears by its participation.
    const narrowing = rows.filter((r) => r.aggregate_id === contributions.northbank.id).at(-1)!;
    expect(narrowing.grantees).toEqual(expect.arrayContaining([`org:${hub.orgId(COORD)}`, `org:${hub.orgId('northbank')}`, `participant:${gridParticipant}`]));
    expect(narrowing.grantees).not.toContain(`org:${hub.orgId('gridpower')}`);
  });

  it('closes with the report published; the review is final then', async () => {
    expect((await phase('closed', { closingSummary: 'Contained and reviewed' })).status).toBe(200);
    const late = await send('patch', `${J()}/contribution`, 'northbank', 'handler', { audience: 'all', version: contributions.northbank.version });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await reportOf('northbank')).status).toBe(200);
    // Row-level security refuses the write after the close too, below the service (42501: the policy's WITH CHECK).
    expect(await sqlState('northbank', "UPDATE joint_contributions SET what_did_not = 'after the close' WHERE id = $1", [contributions.northbank.id])).toBe('42501');
    expect(await sqlState('gridpower', "UPDATE joint_contributions SET audience = 'coordinator' WHERE id = $1", [contributions.grid.id])).toBe('42501');
    expect(await sqlState(COORD, "UPDATE joint_reports SET summary = 'after the close' WHERE id = $1", [report.id])).toBe('42501');
  });

  it('lists contributions from an index, as the owner and through the shared view', async () => {
    // Many joint incidents with a contribution each, written below row-level security, so a scan would show.
    const admin = new pg.Client({ connectionString: hub.db.adminUrl });
    await admin.connect();
    try {
      await admin.query(
        `WITH j AS (
           INSERT INTO joint_incidents (org_id, title, category, sub_type, severity, marking, phase)
           SELECT $1, 'Review load ' || g, 'fraud', 'phishing', 2, 'AMBER', 'learn_lessons' FROM generate_series(1, 20000) g RETURNING id, org_id)
         INSERT INTO joint_contributions (org_id, joint_incident_id, what_happened, marking, audience) SELECT org_id, id, 'load', 'AMBER', 'all' FROM j`,
        [hub.orgId(COORD)],
      );
      await admin.query('ANALYZE joint_incidents; ANALYZE joint_contributions; ANALYZE access');
    } finally {
      await admin.end();
    }
    const { jointContributionsSql } = await import('#joint-incidents');
    const app = await hub.appClient();
    try {
      for (const [slug, kind] of [[COORD, 'coordinator'], ['northbank', 'member']] as const) {
        const principal = { kind: 'api_key' as const, id: '00000000-0000-4000-8000-000000000001', orgId: hub.orgId(slug), orgKind: kind, roles: ['viewer' as const] };
        const statement = jointContributionsSql(principal, joint, { limit: 51 });
        await app.query('BEGIN');
        await app.query(
          "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.reads', 'shared', true), set_config('enable_sort', 'off', true)",
          [hub.orgId(slug), kind],
        );
        const plan = (await app.query(`EXPLAIN ${statement.sql}`, statement.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
        await app.query('ROLLBACK');
        expect({ slug, seqScan: /Seq Scan on joint_contributions/.test(plan) }).toEqual({ slug, seqScan: false });
        expect(plan).toMatch(/joint_contributions_(list_idx|author_key)/);
      }
    } finally {
      await app.end();
    }
  }, 120_000);

  it("never shows a pseudonymous participant's organisation to another participant", () => {
    const grid = DEMO_ORGANISATIONS.find((o) => o.slug === 'gridpower')!;
    const others = seen.filter((s) => s.who.startsWith('northbank/') || s.who.startsWith('st-marys-hospital/'));
    expect(others.length).toBeGreaterThan(20);
    for (const response of others) {
      expect(response.body).not.toContain(hub.orgId('gridpower'));
      expect(response.body).not.toContain(grid.name);
    }
  });
});

import fc from 'fast-check';
import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The lessons-learned review against a small reference model (issue 11 section 2, in the style of
 * joint-property.e2e-spec.ts). Each run opens a joint incident with random participants (some pseudonymous), moves
 * it to learn_lessons and applies random steps over HTTP: contributions with random markings, audiences and named
 * users, later changes of them, removals, a joint report quoting random contributions, its publication, and more
 * changes after it. Every step is accepted or refused as the model says; then every user (and an API key) of every
 * organisation lists and reads exactly the contributions the model allows, reads the report where it may, each
 * quote resolved or withheld as the model says with the near misses of what it reads, and no response to another
 * participant names a pseudonymous participant's organisation. REVIEW_PROPERTY_RUNS and REVIEW_PROPERTY_SEED replay a run.
 */
const RUNS = Number(process.env.REVIEW_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.REVIEW_PROPERTY_SEED ?? Date.now() % 2 ** 31);

const MARKINGS = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'] as const;
type Marking = (typeof MARKINGS)[number];
const ORGS = DEMO_ORGANISATIONS.map((o) => ({ slug: o.slug as DemoOrgSlug, kind: o.kind, name: o.name }));
const COORD = ORGS.findIndex((o) => o.kind === 'coordinator');
const MEMBERS = ORGS.map((_, i) => i).filter((i) => ORGS[i].kind === 'member');
/** Who may try to contribute: the coordination team, the members, and the partner (never a participant here: 404). */
const AUTHORS = ORGS.map((_, i) => i);
const rolesOf = (kind: string) => (kind === 'coordinator' ? ['admin', 'coordinator', 'handler', 'viewer'] : ['admin', 'handler', 'viewer']);
const USERS = ORGS.flatMap((o, org) => rolesOf(o.kind).map((role) => ({ org, role })));
const QUOTABLE = ['whatHappened', 'whatWorked', 'whatDidNot', 'recommendations'] as const;

// ---- the reference model ----
interface MContribution {
  id: string;
  author: number;
  version: number;
  marking: Marking;
  audience: 'all' | 'coordinator';
  users: number[];
  nearMisses: number;
}
interface MJoint {
  id: string;
  /** Accepted (true) or removed (false), with the pseudonym flag. */
  participants: Map<number, { id: string; accepted: boolean; pseudonymous: boolean }>;
  contributions: Map<number, MContribution>;
  report: { version: number; published: boolean; marking: Marking; quotes: number[] } | null;
}
interface MReader {
  label: string;
  org: number;
  /** Index into USERS; -1 for an API key (never a named user). */
  user: number;
  token: string;
}
const accepted = (j: MJoint, org: number) => j.participants.get(org)?.accepted === true;
const inWorkspace = (j: MJoint, org: number) => org === COORD || accepted(j, org);
/** Its author always; the coordination team, and every accepted participant for audience all while the author takes part; RED: the named users among those. */
function readsContribution(j: MJoint, c: MContribution, r: { org: number; user: number }): boolean {
  if (!inWorkspace(j, r.org)) return false;
  if (c.author === r.org) return true;
  const reaches = r.org === COORD || (c.audience === 'all' && inWorkspace(j, c.author) && accepted(j, r.org));
  return reaches && (c.marking !== 'RED' || c.users.includes(r.user));
}
/** The coordination team reads its report as a draft; the accepted participants once published (RED: contact users only, none here). */
const readsReport = (j: MJoint, r: MReader) => j.report !== null && (r.org === COORD || (j.report.published && accepted(j, r.org) && j.report.marking !== 'RED'));

// ---- random scenarios ----
const usersArb = fc.record({ known: fc.nat(3).map((n) => n > 0), picks: fc.uniqueArray(fc.nat(USERS.length - 1), { minLength: 1, maxLength: 2 }) });
const contributeArb = fc.record({
  op: fc.constant('contribute' as const),
  author: fc.constantFrom(...AUTHORS, COORD, ...MEMBERS),
  marking: fc.constantFrom(...MARKINGS),
  audience: fc.constantFrom('all' as const, 'coordinator' as const),
  users: usersArb,
  nearMiss: fc.boolean(),
});
const opArb = fc.oneof(
  { weight: 6, arbitrary: contributeArb },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), org: fc.constantFrom(...MEMBERS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('report' as const),
      quotes: fc.array(fc.nat(), { maxLength: 4 }),
      marking: fc.constantFrom('AMBER' as const, 'GREEN' as const, 'AMBER+STRICT' as const, 'RED' as const),
    }),
  },
);
const scenarioArb = fc.record({
  opening: fc.uniqueArray(fc.record({ org: fc.constantFrom(...MEMBERS), pseudonymous: fc.nat(2).map((n) => n === 0) }), { minLength: 1, maxLength: 3, selector: (i) => i.org }),
  before: fc.array(opArb, { minLength: 2, maxLength: 8 }),
  after: fc.array(fc.oneof({ weight: 3, arbitrary: contributeArb }, { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), org: fc.constantFrom(...MEMBERS) }) }), { maxLength: 4 }),
});
type Op = (typeof opArb) extends fc.Arbitrary<infer O> ? O : never;

describe('the lessons-learned review equals its model (fast-check)', () => {
  let hub: TestHub;
  const readers: MReader[] = [];
  const nearMissOf = new Map<number, string>();
  const contactOf = new Map<number, string>();
  let run = 0;
  const stats = { steps: 0, refused: 0, contributions: 0, changes: 0, removals: 0, published: 0, quotes: 0, quotesShown: 0, quotesWithheld: 0, reads: 0, pseudonymChecks: 0 };
  let received: { org: number; label: string; body: string }[] = [];

  const http = () => hub.http();
  const tokenOf = (org: number, role: string) => hub.token(ORGS[org].slug, role);
  const userId = (user: number) => hub.userId(ORGS[USERS[user].org].slug, USERS[user].role);
  function keep<R extends { body: unknown; text?: string }>(org: number, label: string, res: R): R {
    received.push({ org, label, body: `${JSON.stringify(res.body ?? '')} ${res.text ?? ''}` });
    return res;
  }
  function expectStatus(step: string, res: { status: number; body: unknown }, want: number) {
    stats.steps += 1;
    if (want >= 400) stats.refused += 1;
    expect({ step, status: res.status, body: res.status === want ? null : res.body }).toEqual({ step, status: want, body: null });
  }

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
    for (const [index, u] of USERS.entries()) readers.push({ label: `${ORGS[u.org].slug}/${u.role}`, org: u.org, user: index, token: tokenOf(u.org, u.role) });
    for (const org of [COORD, ...MEMBERS]) {
      const key = await http().post('/api/v1/api-keys').set(bearer(tokenOf(org, 'admin'))).send({ name: 'review property reader', roles: ['viewer'] }).expect(201);
      readers.push({ label: `${ORGS[org].slug}/api-key`, org, user: -1, token: key.body.key });
    }
    for (const org of MEMBERS) {
      const handler = bearer(tokenOf(org, 'handler'));
      const report = await http().post('/api/v1/event-reports').set(handler).send({ reporterName: 'SOC', description: 'Lookalike login page' }).expect(201);
      await http().post(`/api/v1/event-reports/${report.body.id}/triage`).set(handler).send({ outcome: 'near_miss', reason: 'blocked', version: report.body.version }).expect(200);
      nearMissOf.set(org, report.body.id);
      const contacts = await http().get(`/api/v1/organisations/${hub.orgId(ORGS[org].slug)}/points-of-contact`).set(bearer(tokenOf(org, 'admin'))).expect(200);
      contactOf.set(org, contacts.body.items[0].id);
    }
    process.stdout.write(`review property: ${RUNS} runs, seed ${SEED} (REVIEW_PROPERTY_SEED=${SEED} replays it)\n`);
  }, 120_000);
  afterAll(async () => hub?.close());

  async function apply(joint: MJoint, op: Op, tag: string): Promise<void> {
    const path = `/api/v1/joint-incidents/${joint.id}`;
    const coordinator = bearer(tokenOf(COORD, 'coordinator'));
    switch (op.op) {
      case 'contribute': {
        const author = op.author;
        const token = bearer(tokenOf(author, author === COORD ? 'coordinator' : 'handler'));
        // Named users: the coordination team's, the author's own, or an accepted participant's the author knows by organisation.
        const knows = (org: number) => org === COORD || org === author || (accepted(joint, org) && (author === COORD || !joint.participants.get(org)!.pseudonymous));
        const nameable = USERS.map((_, i) => i).filter((u) => knows(USERS[u].org));
        const named = op.users.known ? [...new Set(op.users.picks.map((n) => nameable[n % nameable.length]))] : op.users.picks;
        const usersOk = op.marking !== 'RED' || named.every((u) => knows(USERS[u].org));
        const current = joint.contributions.get(author);
        const nearMisses = op.nearMiss && nearMissOf.has(author) ? [nearMissOf.get(author)!] : [];
        const body: Record<string, unknown> = { marking: op.marking, audience: op.audience, nearMissIds: nearMisses, whatHappened: `${tag} ${ORGS[author].slug} happened`, whatWorked: 'takedowns' };
        if (op.marking === 'RED') body.audienceUsers = named.map(userId);
        const want = !inWorkspace(joint, author) ? 404 : !usersOk ? 422 : 200;
        const res = current
          ? keep(author, 'change contribution', await http().patch(`${path}/contribution`).set(token).send({ ...body, version: current.version }))
          : keep(author, 'contribute', await http().put(`${path}/contribution`).set(token).send(body));
        expectStatus(`${current ? 'change' : 'contribute'} ${ORGS[author].slug} ${op.marking} ${op.audience}`, res, want);
        if (want !== 200) return;
        joint.contributions.set(author, {
          id: res.body.id, author, version: res.body.version, marking: op.marking, audience: op.audience, users: op.marking === 'RED' ? named : [], nearMisses: nearMisses.length,
        });
        stats[current ? 'changes' : 'contributions'] += 1;
        return;
      }
      case 'remove': {
        if (!accepted(joint, op.org)) return;
        const res = await http().delete(`${path}/participants/${hub.orgId(ORGS[op.org].slug)}`).set(coordinator).send({ reason: 'no longer affected' });
        expectStatus(`remove ${ORGS[op.org].slug}`, res, 200);
        joint.participants.get(op.org)!.accepted = false;
        stats.removals += 1;
        return;
      }
      case 'report': {
        const all = [...joint.contributions.values()];
        const quoted = all.length ? op.quotes.map((n) => all[n % all.length]) : [];
        const compiler = { org: COORD, user: USERS.findIndex((u) => u.org === COORD && u.role === 'coordinator') };
        const want = quoted.every((c) => readsContribution(joint, c, compiler)) ? 200 : 422;
        const body: Record<string, unknown> = {
          summary: `${tag} report`, marking: op.marking, quotes: quoted.map((c, i) => ({ contributionId: c.id, field: QUOTABLE[i % QUOTABLE.length] })),
        };
        if (joint.report) body.version = joint.report.version;
        const res = await http().put(`${path}/report`).set(coordinator).send(body);
        expectStatus(`report quoting ${quoted.length}`, res, want);
        if (want === 200) joint.report = { version: res.body.version, published: false, marking: op.marking, quotes: quoted.map((c) => c.author) };
        return;
      }
    }
  }

  async function check(joint: MJoint, r: MReader): Promise<void> {
    const path = `/api/v1/joint-incidents/${joint.id}`;
    const who = r.label;
    const get = async (url: string) => keep(r.org, who, await http().get(url).set(bearer(r.token)));
    const reads = inWorkspace(joint, r.org);
    const all = [...joint.contributions.values()];
    const want = all.filter((c) => readsContribution(joint, c, r));

    const listed = await get(`${path}/contributions?limit=100`);
    expect({ who, status: listed.status, ids: reads ? listed.body.items.map((i: { id: string }) => i.id).sort() : null })
      .toEqual({ who, status: reads ? 200 : 404, ids: reads ? want.map((c) => c.id).sort() : null });
    for (const c of all) {
      const one = await get(`${path}/contributions/${c.id}`);
      const may = readsContribution(joint, c, r);
      expect({ who, contribution: c, status: one.status }).toEqual({ who, contribution: c, status: may ? 200 : 404 });
      if (may) stats.reads += 1;
    }

    const report = await get(`${path}/report`);
    const readsIt = readsReport(joint, r);
    expect({ who, report: report.status }).toEqual({ who, report: readsIt ? 200 : 404 });
    if (!readsIt || !joint.report) return;
    const quotes = joint.report.quotes.map((author) => {
      const c = joint.contributions.get(author)!;
      return readsContribution(joint, c, r) ? { withheld: false, contributionId: c.id } : { withheld: true };
    });
    expect({ who, quotes: report.body.quotes.map((q: { withheld: boolean; contributionId?: string }) => (q.withheld ? q : { withheld: false, contributionId: q.contributionId })) })
      .toEqual({ who, quotes });
    for (const q of report.body.quotes as { withheld: boolean }[]) {
      if (q.withheld) {
        expect(q).toEqual({ withheld: true });
        stats.quotesWithheld += 1;
      } else stats.quotesShown += 1;
    }
    expect({ who, nearMissCount: report.body.nearMissCount }).toEqual({ who, nearMissCount: want.reduce((n, c) => n + c.nearMisses, 0) });
  }

  /** No response another participant (not the coordinator, not itself) received names a pseudonymous participant. */
  function checkPseudonyms(joint: MJoint) {
    for (const [org, p] of joint.participants) {
      if (!p.pseudonymous) continue;
      const id = hub.orgId(ORGS[org].slug);
      for (const res of received) {
        if (res.org === COORD || res.org === org) continue;
        stats.pseudonymChecks += 1;
        expect({ who: res.label, leaksId: res.body.includes(id), leaksName: res.body.includes(ORGS[org].name) }).toEqual({ who: res.label, leaksId: false, leaksName: false });
      }
    }
  }

  it('what every user reads of the contributions and the joint report equals the model', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        run += 1;
        received = [];
        const tag = `rprop${SEED}r${run}`;
        const coordinator = bearer(tokenOf(COORD, 'coordinator'));
        const created = await http().post('/api/v1/joint-incidents').set(coordinator)
          .send({ title: `${tag} joint`, category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' }).expect(201);
        const joint: MJoint = { id: created.body.id, participants: new Map(), contributions: new Map(), report: null };
        const path = `/api/v1/joint-incidents/${joint.id}`;
        for (const p of scenario.opening) {
          const invited = await http().post(`${path}/participants`).set(coordinator).send({ organisationId: hub.orgId(ORGS[p.org].slug), role: 'affected', pseudonymous: p.pseudonymous }).expect(201);
          keep(p.org, 'accept', await http().post(`${path}/participants/${hub.orgId(ORGS[p.org].slug)}/accept`).set(bearer(tokenOf(p.org, 'admin'))).send({ pointsOfContact: [contactOf.get(p.org)] }).expect(200));
          joint.participants.set(p.org, { id: invited.body.id, accepted: true, pseudonymous: p.pseudonymous });
        }
        let version = created.body.version as number;
        for (const phase of ['assess_decide', 'learn_lessons']) {
          version = (await http().post(`${path}/phase`).set(coordinator).send({ phase, reason: 'review', version }).expect(200)).body.version;
        }
        for (const op of scenario.before) await apply(joint, op, tag);
        if (!joint.report) await apply(joint, { op: 'report', quotes: [], marking: 'AMBER' }, tag);
        const published = await http().post(`${path}/report/publish`).set(coordinator).send({ version: joint.report!.version });
        expectStatus('publish', published, 200);
        joint.report!.published = true;
        joint.report!.version = published.body.version;
        stats.published += 1;
        stats.quotes += joint.report!.quotes.length;
        for (const op of scenario.after) await apply(joint, op, tag);
        for (let i = 0; i < readers.length; i += 8) await Promise.all(readers.slice(i, i + 8).map((reader) => check(joint, reader)));
        checkPseudonyms(joint);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    process.stdout.write(`review property: ${run} runs, ${JSON.stringify(stats)}\n`);
    expect(run).toBeGreaterThanOrEqual(RUNS);
    expect(stats.contributions).toBeGreaterThan(RUNS);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.quotesShown).toBeGreaterThan(0);
    expect(stats.quotesWithheld).toBeGreaterThan(0);
  }, 30 * 60_000);
});

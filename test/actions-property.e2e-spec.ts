import fc from 'fast-check';
import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Improvement actions of joint reviews against a small reference model (issue 11 section 3, in the style of
 * joint-property.e2e-spec.ts). Each run opens a joint incident with random participants (some pseudonymous), moves
 * it into its review and applies random steps over HTTP: actions raised by random organisations (outsiders too)
 * with random markings and share flags, share toggles, marking changes and removals of participants. Every step is
 * accepted or refused as the model says; then every user of every organisation reads exactly what the model
 * allows: its own actions, and for the coordination team also those shared with it by an owner still taking part
 * (never RED). No response to a participant names a pseudonymous participant's organisation.
 * ACTIONS_PROPERTY_RUNS and ACTIONS_PROPERTY_SEED replay a run.
 */
const RUNS = Number(process.env.ACTIONS_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.ACTIONS_PROPERTY_SEED ?? Date.now() % 2 ** 31);

const MARKINGS = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'] as const;
type Marking = (typeof MARKINGS)[number];
const ORGS = DEMO_ORGANISATIONS.map((o) => ({ slug: o.slug as DemoOrgSlug, kind: o.kind }));
const COORD = ORGS.findIndex((o) => o.kind === 'coordinator');
const MEMBERS = ORGS.map((o, i) => (o.kind === 'member' ? i : -1)).filter((i) => i >= 0);
const ALL = ORGS.map((_, i) => i);
const rolesOf = (org: number) => (org === COORD ? ['admin', 'coordinator', 'handler', 'viewer'] : ['admin', 'handler', 'viewer']);
const USERS = ALL.flatMap((org) => rolesOf(org).map((role) => ({ org, role })));
const writerOf = (org: number) => (org === COORD ? 'coordinator' : 'handler');

// ---- the model ----
interface MAction {
  id: string;
  owner: number;
  marking: Marking;
  share: boolean;
  version: number;
}
interface MJoint {
  id: string;
  /** Participant organisations: accepted, or removed. */
  participants: Map<number, { state: 'accepted' | 'removed'; pseudonymous: boolean }>;
  actions: MAction[];
}
const takesPart = (j: MJoint, org: number) => org === COORD || j.participants.get(org)?.state === 'accepted';
/** The coordination team reads an action shared with it by an owner still taking part, never RED. */
const coordinatorReads = (j: MJoint, a: MAction) =>
  a.owner === COORD || (a.share && a.marking !== 'RED' && j.participants.get(a.owner)?.state === 'accepted');
const reads = (j: MJoint, org: number, a: MAction) => a.owner === org || (org === COORD && coordinatorReads(j, a));

type Op =
  | { op: 'raise'; org: number; marking: Marking; share: boolean }
  | { op: 'share'; pick: number }
  | { op: 'marking'; pick: number; marking: Marking }
  | { op: 'remove'; pick: number };

const markingArb = fc.constantFrom(...MARKINGS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('raise' as const), org: fc.constantFrom(...ALL), marking: markingArb, share: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('share' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('marking' as const), pick: fc.nat(), marking: markingArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
);
const scenarioArb = fc.record({
  participants: fc.uniqueArray(fc.record({ org: fc.constantFrom(...MEMBERS), pseudonymous: fc.boolean() }), { minLength: 1, maxLength: MEMBERS.length, selector: (p) => p.org }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 10 }),
});

describe('improvement actions equal the model (fast-check)', () => {
  let hub: TestHub;
  const stats = { steps: 0, refused: 0, reads: 0, sharedReads: 0 };
  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
    process.stdout.write(`actions property: ${RUNS} runs, seed ${SEED} (ACTIONS_PROPERTY_SEED=${SEED} replays it)\n`);
  }, 120_000);
  afterAll(async () => hub?.close());

  const auth = (org: number, role = writerOf(org)) => bearer(hub.token(ORGS[org].slug, role));
  const http = () => hub.http();
  function expectStatus(step: string, res: { status: number; body: unknown }, want: number) {
    stats.steps += 1;
    if (want >= 400) stats.refused += 1;
    expect({ step, status: res.status, body: res.status === want ? null : res.body }).toEqual({ step, status: want, body: null });
  }

  async function open(scenario: { participants: { org: number; pseudonymous: boolean }[] }): Promise<MJoint> {
    const created = await http().post('/api/v1/joint-incidents').set(auth(COORD))
      .send({ title: 'actions property', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' }).expect(201);
    const joint: MJoint = { id: created.body.id, participants: new Map(), actions: [] };
    for (const p of scenario.participants) {
      await http().post(`/api/v1/joint-incidents/${joint.id}/participants`).set(auth(COORD))
        .send({ organisationId: hub.orgId(ORGS[p.org].slug), role: 'affected', pseudonymous: p.pseudonymous }).expect(201);
      const contacts = await http().get(`/api/v1/organisations/${hub.orgId(ORGS[p.org].slug)}/points-of-contact`).set(auth(p.org, 'admin')).expect(200);
      await http().post(`/api/v1/joint-incidents/${joint.id}/participants/${hub.orgId(ORGS[p.org].slug)}/accept`).set(auth(p.org, 'admin'))
        .send({ pointsOfContact: [contacts.body.items[0].id] }).expect(200);
      joint.participants.set(p.org, { state: 'accepted', pseudonymous: p.pseudonymous });
    }
    let version = created.body.version;
    for (const phase of ['assess_decide', 'learn_lessons']) {
      version = (await http().post(`/api/v1/joint-incidents/${joint.id}/phase`).set(auth(COORD)).send({ phase, reason: 'review', version }).expect(200)).body.version;
    }
    return joint;
  }

  async function apply(joint: MJoint, op: Op, step: string) {
    switch (op.op) {
      case 'raise': {
        const res = await http().post(`/api/v1/joint-incidents/${joint.id}/actions`).set(auth(op.org))
          .send({ kind: 'control', title: step, dueOn: '2031-01-31', marking: op.marking, shareWithCoordinator: op.share });
        const want = !takesPart(joint, op.org) ? 404 : op.share && op.marking === 'RED' ? 422 : 201;
        expectStatus(step, res, want);
        if (want === 201) joint.actions.push({ id: res.body.id, owner: op.org, marking: op.marking, share: op.share, version: 1 });
        return;
      }
      case 'share':
      case 'marking': {
        if (joint.actions.length === 0) return;
        const a = joint.actions[op.pick % joint.actions.length];
        const next = op.op === 'share' ? { share: !a.share, marking: a.marking } : { share: a.share, marking: op.marking };
        const body = op.op === 'share' ? { version: a.version, shareWithCoordinator: next.share } : { version: a.version, marking: next.marking };
        const res = await http().patch(`/api/v1/improvement-actions/${a.id}`).set(auth(a.owner)).send(body);
        // The owner writes its action whether or not it still takes part; RED is never shared.
        const want = next.share && next.marking === 'RED' ? 422 : 200;
        expectStatus(step, res, want);
        if (want === 200) Object.assign(a, next, { version: a.version + 1 });
        return;
      }
      case 'remove': {
        const accepted = [...joint.participants].filter(([, p]) => p.state === 'accepted').map(([org]) => org);
        if (accepted.length === 0) return;
        const org = accepted[op.pick % accepted.length];
        const res = await http().delete(`/api/v1/joint-incidents/${joint.id}/participants/${hub.orgId(ORGS[org].slug)}`).set(auth(COORD)).send({ reason: 'left' });
        expectStatus(step, res, 200);
        (joint.participants.get(org) as { state: string }).state = 'removed';
        return;
      }
    }
  }

  async function check(joint: MJoint, reader: { org: number; role: string }) {
    const who = `${ORGS[reader.org].slug}/${reader.role}`;
    const token = auth(reader.org, reader.role);
    const ids = joint.actions.map((a) => a.id);
    const bodies: string[] = [];
    const own = await http().get('/api/v1/improvement-actions?limit=200&source=joint_incident').set(token).expect(200);
    bodies.push(JSON.stringify(own.body));
    const ownHere = own.body.items.map((i: { id: string }) => i.id).filter((id: string) => ids.includes(id)).sort();
    expect({ who, own: ownHere }).toEqual({ who, own: joint.actions.filter((a) => a.owner === reader.org).map((a) => a.id).sort() });
    const review = await http().get(`/api/v1/joint-incidents/${joint.id}/actions?limit=200`).set(token);
    bodies.push(JSON.stringify(review.body));
    if (takesPart(joint, reader.org)) {
      expect({ who, status: review.status }).toEqual({ who, status: 200 });
      const listed = review.body.items.map((i: { id: string }) => i.id).sort();
      expect({ who, listed }).toEqual({ who, listed: joint.actions.filter((a) => reads(joint, reader.org, a)).map((a) => a.id).sort() });
    } else {
      expect({ who, status: review.status }).toEqual({ who, status: 404 });
    }
    for (const a of joint.actions) {
      const res = await http().get(`/api/v1/improvement-actions/${a.id}`).set(token);
      bodies.push(JSON.stringify(res.body));
      const want = reads(joint, reader.org, a);
      stats.reads += 1;
      if (want && a.owner !== reader.org) stats.sharedReads += 1;
      expect({ who, action: a, status: res.status }).toEqual({ who, action: a, status: want ? 200 : 404 });
      if (want) expect({ who, owner: res.body.owner.organisationId, marking: res.body.marking }).toEqual({ who, owner: hub.orgId(ORGS[a.owner].slug), marking: a.marking });
    }
    // A pseudonymous participant's organisation reaches no other participant (the coordinator knows it).
    if (reader.org !== COORD) {
      for (const [org, p] of joint.participants) {
        if (!p.pseudonymous || org === reader.org) continue;
        expect({ who, leaks: bodies.some((b) => b.includes(hub.orgId(ORGS[org].slug))) }).toEqual({ who, leaks: false });
      }
    }
  }

  it('what every user lists and reads equals the model, after random raises, shares, markings and removals', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        run += 1;
        const joint = await open(scenario);
        for (const [i, op] of scenario.ops.entries()) await apply(joint, op, `r${run}s${i} ${op.op}`);
        for (let i = 0; i < USERS.length; i += 8) await Promise.all(USERS.slice(i, i + 8).map((reader) => check(joint, reader)));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    process.stdout.write(`actions property: ${run} runs, ${JSON.stringify(stats)}\n`);
    expect(run).toBeGreaterThanOrEqual(RUNS);
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.sharedReads).toBeGreaterThan(0);
  }, 900_000);
});

import { appendLog, type LogSubject, readLog, verifyLog } from '#audit';
import type { OrgPrincipal } from '#auth';
import { organisationContext, type TenantTransaction, TenantDatabase } from '#database';
import { AGREEMENT_RULE, requireAgreementInForce, seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

const MISSING = '00000000-0000-4000-8000-000000000000';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('coordination agreements', () => {
  let hub: TestHub;
  let coordinator: string;
  const coordinatorOrg = () => hub.orgId('national-csirt');
  beforeAll(async () => {
    hub = await startTestHub();
    coordinator = hub.token('national-csirt', 'coordinator');
  });
  afterAll(async () => {
    await hub.close();
  });

  const get = (path: string, token: string) => hub.http().get(path).set(bearer(token));
  const post = (path: string, token: string, body: unknown) => hub.http().post(path).set(bearer(token)).send(body as object);
  const terms = (parties: DemoOrgSlug[], extra: Record<string, unknown> = {}) => ({
    text: 'The parties coordinate incidents through the National CSIRT and keep their contacts reachable.',
    parties: parties.map((slug) => hub.orgId(slug)),
    defaultMarking: 'AMBER',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    ...extra,
  });
  async function publish(title: string, parties: DemoOrgSlug[], extra: Record<string, unknown> = {}) {
    return (await post('/api/v1/agreements', coordinator, { title, ...terms(parties, extra) }).expect(201)).body;
  }
  async function contactsOf(slug: DemoOrgSlug): Promise<string[]> {
    const res = await get(`/api/v1/organisations/${hub.orgId(slug)}/points-of-contact`, hub.token(slug, 'admin')).expect(200);
    return res.body.items.map((c: { id: string }) => c.id);
  }
  async function accept(slug: DemoOrgSlug, id: string, version: number, expected = 201) {
    const named = (await contactsOf(slug)).slice(0, 2).map((pointOfContactId) => ({ duty: 'point of contact', pointOfContactId }));
    return post(`/api/v1/agreements/${id}/acceptances`, hub.token(slug, 'admin'), { version, pointsOfContact: named }).expect(expected);
  }
  /** requireAgreementInForce inside a transaction of `asSlug` (the coordinator, the party, or anyone else). */
  function inForce(asSlug: DemoOrgSlug, partySlug: DemoOrgSlug) {
    const kind = asSlug === 'national-csirt' ? 'coordinator' : asSlug === 'netwatch-isp' ? 'partner' : 'member';
    return hub.app.get(TenantDatabase).run(organisationContext(hub.orgId(asSlug), null, kind), (tx) =>
      requireAgreementInForce(tx, hub.orgId(partySlug), coordinatorOrg(), 'participants[0].orgId'),
    );
  }
  async function expectRefused(asSlug: DemoOrgSlug, partySlug: DemoOrgSlug) {
    const refusal = await inForce(asSlug, partySlug).then(
      () => null,
      (error: unknown) => error as { status: number; code: string; message: string; details: unknown[] },
    );
    expect(refusal).toMatchObject({ status: 422, code: 'AGREEMENT_REQUIRED', message: expect.stringContaining(AGREEMENT_RULE) });
    expect(refusal?.details).toEqual([{ field: 'participants[0].orgId', rule: 'agreementInForce', message: AGREEMENT_RULE }]);
  }
  /** Rows below the API, as the application role inside one organisation's context. */
  async function asOrg<T>(slug: DemoOrgSlug, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await hub.appClient();
    await client.query('BEGIN');
    try {
      await client.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId(slug)]);
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it('publishes an agreement that its coordinator and its parties read, and nobody else: 404 as if missing', async () => {
    const agreement = await publish('Finance and health sector agreement', ['northbank', 'st-marys-hospital']);
    expect(agreement).toMatchObject({
      coordinatorOrgId: coordinatorOrg(),
      role: 'coordinator',
      currentVersion: 1,
      acceptedCurrentVersion: null,
      partiesAccepted: [],
      version: {
        version: 1,
        parties: [hub.orgId('northbank'), hub.orgId('st-marys-hospital')],
        defaultMarking: 'AMBER',
        validUntil: null,
        validNow: true,
        requiredContacts: [{ duty: 'point of contact', minimum: 2 }],
        publishedBy: hub.userId('national-csirt', 'coordinator'),
      },
    });
    expect(agreement.versions).toHaveLength(1);

    // The coordinator tenant's other users read it; so do the parties, as parties.
    const listed = await get('/api/v1/agreements', hub.token('national-csirt', 'viewer')).expect(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(agreement.id);
    for (const token of [hub.token('northbank', 'viewer'), hub.token('st-marys-hospital', 'admin')]) {
      const read = await get(`/api/v1/agreements/${agreement.id}`, token).expect(200);
      expect(read.body).toMatchObject({ role: 'party', acceptedCurrentVersion: false, partiesAccepted: null, currentVersion: 1 });
      const mine = await get('/api/v1/agreements', token).expect(200);
      expect(mine.body.items.find((a: { id: string }) => a.id === agreement.id)).toMatchObject({ role: 'party', acceptedCurrentVersion: false });
    }

    // A member that is not a party, and the partner: as if it did not exist, on every route.
    for (const token of [hub.token('gridpower', 'admin'), hub.token('netwatch-isp', 'admin')]) {
      for (const path of ['', '/acceptances']) {
        const res = await get(`/api/v1/agreements/${agreement.id}${path}`, token).expect(404);
        const missing = await get(`/api/v1/agreements/${MISSING}${path}`, token).expect(404);
        expect(res.body).toEqual({ ...missing.body, requestId: res.body.requestId });
      }
      expect((await get('/api/v1/agreements', token).expect(200)).body.items.map((a: { id: string }) => a.id)).not.toContain(agreement.id);
      await accept(token === hub.token('gridpower', 'admin') ? 'gridpower' : 'netwatch-isp', agreement.id, 1, 404);
    }

    // Only the coordinator role publishes.
    await post('/api/v1/agreements', hub.token('northbank', 'admin'), { title: 'x', ...terms(['gridpower']) }).expect(403);
    await post('/api/v1/agreements', hub.token('national-csirt', 'handler'), { title: 'x', ...terms(['gridpower']) }).expect(403);
    await post(`/api/v1/agreements/${agreement.id}/versions`, hub.token('national-csirt', 'admin'), { supersedes: 1, ...terms(['gridpower']) }).expect(403);

    // Published with an outbox row in the coordinator's tenant.
    const events = await asOrg<{ event_type: string; payload: unknown }>('national-csirt', 'SELECT event_type, payload FROM outbox WHERE aggregate_id = $1', [agreement.id]);
    expect(events).toEqual([{ event_type: 'agreement.published', payload: { version: 1 } }]);
  });

  it("lets only a party's admin accept the current version, naming the points of contact the version asks for", async () => {
    const agreement = await publish('Acceptance rules', ['northbank', 'st-marys-hospital'], {
      requiredContacts: [{ duty: 'Duty officer', minimum: 2 }, { duty: 'Legal', minimum: 1 }],
    });
    const path = `/api/v1/agreements/${agreement.id}/acceptances`;
    const [first, second] = await contactsOf('northbank');
    const named = [
      { duty: 'Duty officer', pointOfContactId: first },
      { duty: 'duty officer', pointOfContactId: second },
      { duty: 'Legal', pointOfContactId: first },
    ];
    const admin = hub.token('northbank', 'admin');

    // A handler is refused by the route's role rule (403) before the agreement is looked up, so the answer is
    // the same whether or not the agreement exists or names its organisation: it tells nothing.
    const byHandler = await post(path, hub.token('northbank', 'handler'), { version: 1, pointsOfContact: named }).expect(403);
    const handlerOnMissing = await post(`/api/v1/agreements/${MISSING}/acceptances`, hub.token('northbank', 'handler'), { version: 1, pointsOfContact: named }).expect(403);
    expect(byHandler.body.message).toBe(handlerOnMissing.body.message);
    // The coordinator's own admin sees the agreement but is not a party.
    const byCoordinator = await post(path, hub.token('national-csirt', 'admin'), { version: 1, pointsOfContact: named }).expect(422);
    expect(byCoordinator.body.code).toBe('AGREEMENT_NOT_A_PARTY');

    const stale = await post(path, admin, { version: 2, pointsOfContact: named }).expect(409);
    expect(stale.body).toMatchObject({ code: 'AGREEMENT_VERSION_NOT_CURRENT', details: [{ field: 'version', rule: 'currentVersion' }] });
    expect(stale.body.message).toContain('name version 1');

    const tooFew = await post(path, admin, { version: 1, pointsOfContact: named.slice(0, 2) }).expect(422);
    expect(tooFew.body).toMatchObject({ code: 'AGREEMENT_CONTACTS_REQUIRED', details: [{ field: 'pointsOfContact', rule: 'requiredContacts' }] });
    expect(tooFew.body.message).toContain('at least 1 point(s) of contact for the duty "Legal"; you named 0');
    const [foreign] = await contactsOf('gridpower');
    const notOurs = await post(path, admin, { version: 1, pointsOfContact: [...named.slice(0, 2), { duty: 'Legal', pointOfContactId: foreign }] }).expect(422);
    expect(notOurs.body.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'pointsOfContact[2].pointOfContactId', rule: 'pointOfContactOfOrganisation' }),
      expect.objectContaining({ field: 'pointsOfContact', rule: 'requiredContacts' }),
    ]));
    const unknownDuty = await post(path, admin, { version: 1, pointsOfContact: [...named, { duty: 'Press', pointOfContactId: first }] }).expect(422);
    expect(unknownDuty.body.details).toEqual([expect.objectContaining({ field: 'pointsOfContact[3].duty', rule: 'dutyOfAgreement' })]);

    const accepted = await post(path, admin, { version: 1, pointsOfContact: named }).expect(201);
    expect(accepted.body).toMatchObject({
      agreementId: agreement.id,
      version: 1,
      current: true,
      orgId: hub.orgId('northbank'),
      coordinatorOrgId: coordinatorOrg(),
      acceptedBy: hub.userId('northbank', 'admin'),
      pointsOfContact: named,
    });
    const again = await post(path, admin, { version: 1, pointsOfContact: named }).expect(409);
    expect(again.body.code).toBe('AGREEMENT_ALREADY_ACCEPTED');

    // The coordinator reads every acceptance; a party its own only.
    const all = await get(path, hub.token('national-csirt', 'viewer')).expect(200);
    expect(all.body.items.map((a: { orgId: string }) => a.orgId)).toEqual([hub.orgId('northbank')]);
    expect((await get(path, hub.token('northbank', 'viewer')).expect(200)).body.items).toHaveLength(1);
    expect((await get(path, hub.token('st-marys-hospital', 'admin')).expect(200)).body.items).toEqual([]);
    expect((await get(`/api/v1/agreements/${agreement.id}`, coordinator).expect(200)).body.partiesAccepted).toEqual([hub.orgId('northbank')]);
    expect((await get(`/api/v1/agreements/${agreement.id}`, admin).expect(200)).body.acceptedCurrentVersion).toBe(true);

    // The acceptance is recorded: its row (append-only: the application role may not change or remove it) and its outbox row.
    const events = await asOrg<{ event_type: string }>('northbank', 'SELECT event_type FROM outbox WHERE aggregate_id = $1', [agreement.id]);
    expect(events).toEqual([{ event_type: 'agreement.accepted' }]);
    const client = await hub.appClient();
    await expect(client.query('UPDATE agreement_acceptances SET version = 2')).rejects.toThrow(/permission denied/);
    await expect(client.query('DELETE FROM agreement_acceptances')).rejects.toThrow(/permission denied/);
    await expect(client.query('UPDATE agreement_versions SET text = $1', ['changed'])).rejects.toThrow(/permission denied/);
  });

  it('requires an accepted agreement valid today, checked from either side; a new version needs a new acceptance', async () => {
    // The partner is a party of this agreement only, so nothing else it accepts gets in the way.
    const agreement = await publish('Partner agreement', ['netwatch-isp']);
    const id = agreement.id as string;
    await expectRefused('national-csirt', 'netwatch-isp');
    await expectRefused('netwatch-isp', 'netwatch-isp');

    await accept('netwatch-isp', id, 1);
    const v1 = { agreementId: id, version: 1, defaultMarking: 'AMBER' };
    await expect(inForce('national-csirt', 'netwatch-isp')).resolves.toEqual(v1);
    await expect(inForce('netwatch-isp', 'netwatch-isp')).resolves.toEqual(v1);
    // A third organisation learns nothing about the two, not even through the function.
    await expectRefused('gridpower', 'netwatch-isp');

    // Version 2: the acceptance of version 1 no longer counts.
    const stale = await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 2, ...terms(['netwatch-isp']) }).expect(409);
    expect(stale.body.details).toEqual([expect.objectContaining({ field: 'supersedes', rule: 'currentVersion' })]);
    const v2 = await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 1, ...terms(['netwatch-isp'], { defaultMarking: 'GREEN' }) }).expect(201);
    expect(v2.body).toMatchObject({ currentVersion: 2, partiesAccepted: [] });
    expect(v2.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    await expectRefused('national-csirt', 'netwatch-isp');
    await expectRefused('netwatch-isp', 'netwatch-isp');
    const partner = hub.token('netwatch-isp', 'admin');
    expect((await get(`/api/v1/agreements/${id}`, partner).expect(200)).body).toMatchObject({ currentVersion: 2, acceptedCurrentVersion: false });
    expect((await get(`/api/v1/agreements/${id}/acceptances`, partner).expect(200)).body.items).toEqual([expect.objectContaining({ version: 1, current: false })]);
    const old = await accept('netwatch-isp', id, 1, 409);
    expect(old.body.message).toContain('now at version 2');
    await accept('netwatch-isp', id, 2);
    await expect(inForce('national-csirt', 'netwatch-isp')).resolves.toEqual({ agreementId: id, version: 2, defaultMarking: 'GREEN' });

    // Version 3 is not valid yet: accepted ahead, not in force.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const v3 = await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 2, ...terms(['netwatch-isp'], { validFrom: tomorrow }) }).expect(201);
    expect(v3.body.version).toMatchObject({ version: 3, validFrom: tomorrow, validNow: false });
    await accept('netwatch-isp', id, 3);
    await expectRefused('national-csirt', 'netwatch-isp');
    await expectRefused('netwatch-isp', 'netwatch-isp');

    // Version 4 runs out in a few seconds: in force until then, refused after; an expired version is not accepted.
    const until = new Date(Date.now() + 4_000);
    await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 3, ...terms(['netwatch-isp'], { validUntil: until.toISOString() }) }).expect(201);
    await accept('netwatch-isp', id, 4);
    await expect(inForce('netwatch-isp', 'netwatch-isp')).resolves.toMatchObject({ version: 4 });
    await sleep(until.getTime() - Date.now() + 250);
    await expectRefused('national-csirt', 'netwatch-isp');
    await expectRefused('netwatch-isp', 'netwatch-isp');
    const v5 = await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 4, ...terms(['netwatch-isp'], { validUntil: new Date(Date.now() + 1_500).toISOString() }) }).expect(201);
    await sleep(1_750);
    const expired = await accept('netwatch-isp', id, v5.body.currentVersion, 422);
    expect(expired.body).toMatchObject({ code: 'AGREEMENT_EXPIRED', details: [{ field: 'version', rule: 'notExpired' }] });
  });

  it("logs the publication of each version and each acceptance in the coordinator's agreement chain, which verifies", async () => {
    const agreement = await publish('Logged agreement', ['northbank', 'st-marys-hospital']);
    await accept('northbank', agreement.id, 1);
    await post(`/api/v1/agreements/${agreement.id}/versions`, coordinator, { supersedes: 1, ...terms(['northbank']) }).expect(201);
    await accept('northbank', agreement.id, 2);
    const subject: LogSubject = { type: 'agreement', id: agreement.id };
    const kinds: Record<string, 'member' | 'coordinator' | 'partner'> = { 'national-csirt': 'coordinator', 'netwatch-isp': 'partner' };
    const as = <T>(slug: DemoOrgSlug, work: (tx: TenantTransaction) => Promise<T>) =>
      hub.app.get(TenantDatabase).run(organisationContext(hub.orgId(slug), hub.userId(slug, 'admin'), kinds[slug] ?? 'member'), work);

    const entries = await as('national-csirt', (tx) => readLog(tx, subject));
    expect(entries.map((e) => [e.action, e.details.version, e.actorOrgId])).toEqual([
      ['agreement.published', 1, null],
      ['agreement.accepted', 1, hub.orgId('northbank')],
      ['agreement.version_published', 2, null],
      ['agreement.accepted', 2, hub.orgId('northbank')],
    ]);
    expect(entries[0]).toMatchObject({ actorId: hub.userId('national-csirt', 'coordinator'), actorKind: 'user' });
    expect(entries[3]).toMatchObject({ actorId: hub.userId('northbank', 'admin'), details: { pointsOfContact: expect.any(Array) } });
    expect(await as('national-csirt', (tx) => verifyLog(tx, subject))).toEqual({ valid: true, entries: 4, firstBroken: null, breaks: [] });
    // The party reads the chain it writes to. A party dropped from the current version, and an outsider, neither
    // read it nor append to it: as if it did not exist.
    expect(await as('northbank', (tx) => readLog(tx, subject))).toHaveLength(4);
    for (const slug of ['st-marys-hospital', 'gridpower'] as const) {
      expect(await as(slug, (tx) => readLog(tx, subject))).toEqual([]);
      const principal: OrgPrincipal = { kind: 'user', id: hub.userId(slug, 'admin'), orgId: hub.orgId(slug), orgKind: 'member', roles: ['admin'], email: '', sessionId: 'test' };
      const refused = await as(slug, (tx) => appendLog(tx, principal, subject, { action: 'agreement.accepted' })).then(() => null, (error: { status?: number }) => error);
      expect(refused).toMatchObject({ status: 404 });
    }
  });

  it('refuses an acceptance that would open the chain of an agreement published before agreements were logged', async () => {
    // Such an agreement: its rows, written as the coordinator below the API, with no log chain.
    const client = await hub.appClient();
    await client.query('BEGIN');
    await client.query("SELECT set_config('hub.org_id', $1, true)", [coordinatorOrg()]);
    const [{ id }] = (await client.query('INSERT INTO agreements (org_id, title, created_by) VALUES ($1, $2, $3) RETURNING id', [
      coordinatorOrg(), 'Unlogged agreement', hub.userId('national-csirt', 'coordinator'),
    ])).rows;
    await client.query(`INSERT INTO agreement_versions (agreement_id, version, org_id, text, parties, default_marking, valid_from, required_contacts, published_by)
      VALUES ($1, 1, $2, 't', $3, 'AMBER', now(), '[]', $4)`, [id, coordinatorOrg(), [hub.orgId('st-marys-hospital')], hub.userId('national-csirt', 'coordinator')]);
    await client.query('COMMIT');

    const refused = await post(`/api/v1/agreements/${id}/acceptances`, hub.token('st-marys-hospital', 'admin'), { version: 1, pointsOfContact: [] }).expect(409);
    expect(refused.body.code).toBe('AGREEMENT_LOG_NOT_OPEN');
    expect((await get(`/api/v1/agreements/${id}/acceptances`, coordinator).expect(200)).body.items).toEqual([]);
    // The coordinator's next version opens the chain as its own; then the party accepts into it.
    await post(`/api/v1/agreements/${id}/versions`, coordinator, { supersedes: 1, ...terms(['st-marys-hospital'], { requiredContacts: [] }) }).expect(201);
    await post(`/api/v1/agreements/${id}/acceptances`, hub.token('st-marys-hospital', 'admin'), { version: 2, pointsOfContact: [] }).expect(201);
    const entries = await hub.app.get(TenantDatabase).run(organisationContext(coordinatorOrg(), null, 'coordinator'), (tx) => readLog(tx, { type: 'agreement', id }));
    expect(entries.map((e) => [e.action, e.actorOrgId])).toEqual([['agreement.version_published', null], ['agreement.accepted', hub.orgId('st-marys-hospital')]]);
  });

  it('shows a party only the versions that name it', async () => {
    const agreement = await publish('Changing parties', ['northbank', 'gridpower']);
    await post(`/api/v1/agreements/${agreement.id}/versions`, coordinator, { supersedes: 1, ...terms(['northbank']) }).expect(201);
    const dropped = await get(`/api/v1/agreements/${agreement.id}`, hub.token('gridpower', 'viewer')).expect(200);
    expect(dropped.body).toMatchObject({ currentVersion: 2, version: { version: 1 }, acceptedCurrentVersion: false });
    expect(dropped.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    // Dropped from the current version, it can no longer accept: 422 naming the rule.
    const refused = await accept('gridpower', agreement.id, 2, 422);
    expect(refused.body.code).toBe('AGREEMENT_NOT_A_PARTY');
    const kept = await get(`/api/v1/agreements/${agreement.id}`, hub.token('northbank', 'viewer')).expect(200);
    expect(kept.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    // The database says the same below the API.
    const rows = await asOrg<{ version: number }>('gridpower', 'SELECT version FROM agreement_versions WHERE agreement_id = $1', [agreement.id]);
    expect(rows).toEqual([{ version: 1 }]);
  });

  it('answers bad input with a 400 naming the field and rule, and refused parties with a 422, writing nothing', async () => {
    const count = async () => (await asOrg<{ n: number }>('national-csirt', 'SELECT count(*)::int AS n FROM agreement_versions'))[0].n;
    const before = await count();
    const base = { title: 'Bad input', ...terms(['northbank']) };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ validFrom: '2027-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }, 'validUntil', 'afterValidFrom'],
      [{ validFrom: '2027-01-02T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }, 'validUntil', 'afterValidFrom'],
      [{ validFrom: '2026-02-30T00:00:00Z' }, 'validFrom', 'isInstant'],
      [{ validUntil: 'next year' }, 'validUntil', 'isInstant'],
      [{ defaultMarking: 'amber' }, 'defaultMarking', 'isIn'],
      [{ defaultMarking: 'TLP:RED' }, 'defaultMarking', 'isIn'],
      [{ parties: [] }, 'parties', 'arrayMinSize'],
      [{ parties: ['not-a-uuid'] }, 'parties', 'isUuid'],
      [{ parties: [hub.orgId('northbank'), hub.orgId('northbank')] }, 'parties', 'arrayUnique'],
      [{ title: '' }, 'title', 'minLength'],
      [{ text: 'x'.repeat(100_001) }, 'text', 'maxLength'],
      [{ requiredContacts: [{ duty: 'Duty officer', minimum: 0 }] }, 'requiredContacts.0.minimum', 'min'],
      [{ requiredContacts: [{ duty: 'Duty officer', minimum: 1 }, { duty: 'duty officer ', minimum: 2 }] }, 'requiredContacts[1].duty', 'unique'],
      [{ unexpected: true }, 'unexpected', 'unknownField'],
    ];
    for (const [change, field, rule] of cases) {
      const res = await post('/api/v1/agreements', coordinator, { ...base, ...change });
      expect(`${JSON.stringify(change).slice(0, 80)} ${res.status}`).toBe(`${JSON.stringify(change).slice(0, 80)} 400`);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    }

    const unknown = await post('/api/v1/agreements', coordinator, { ...base, parties: [hub.orgId('northbank'), MISSING] }).expect(422);
    expect(unknown.body).toMatchObject({ code: 'AGREEMENT_INVALID_PARTY', details: [{ field: 'parties[1]', rule: 'knownOrganisation' }] });
    const itself = await post('/api/v1/agreements', coordinator, { ...base, parties: [coordinatorOrg()] }).expect(422);
    expect(itself.body).toMatchObject({ code: 'AGREEMENT_INVALID_PARTY', details: [{ field: 'parties[0]', rule: 'notTheCoordinator' }] });
    const past = await post('/api/v1/agreements', coordinator, { ...base, validUntil: new Date(Date.now() - 1_000).toISOString() }).expect(422);
    expect(past.body.details).toEqual([expect.objectContaining({ field: 'validUntil', rule: 'inTheFuture' })]);

    const agreement = await publish('Target of bad acceptances', ['northbank']);
    const admin = hub.token('northbank', 'admin');
    for (const [body, field] of [
      [{ version: '1', pointsOfContact: [] }, 'version'],
      [{ version: 1 }, 'pointsOfContact'],
      [{ version: 1, pointsOfContact: [{ duty: 'point of contact', pointOfContactId: 'x' }] }, 'pointsOfContact.0.pointOfContactId'],
    ] as const) {
      const res = await post(`/api/v1/agreements/${agreement.id}/acceptances`, admin, body).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const [poc] = await contactsOf('northbank');
    const twice = await post(`/api/v1/agreements/${agreement.id}/acceptances`, admin, {
      version: 1,
      pointsOfContact: [{ duty: 'point of contact', pointOfContactId: poc }, { duty: 'Point of contact', pointOfContactId: poc }],
    }).expect(400);
    expect(twice.body.details).toEqual([expect.objectContaining({ field: 'pointsOfContact[1]', rule: 'unique' })]);
    await get('/api/v1/agreements?limit=0', coordinator).expect(400);
    await get('/api/v1/agreements?cursor=bogus!', coordinator).expect(400);
    expect(await count()).toBe(before + 1);
  });

  it('pages the list by cursor, newest first', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await publish(`Paged ${n}`, ['st-marys-hospital'])).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(`/api/v1/agreements?limit=2${cursor ? `&cursor=${cursor}` : ''}`, hub.token('st-marys-hospital', 'viewer')).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((a) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
  });

  it('seeds the demo agreement through the services: every member accepted, in force from both sides', async () => {
    const demo = await seedDemoAgreement(hub.app);
    const members: DemoOrgSlug[] = ['northbank', 'st-marys-hospital', 'gridpower'];
    expect([...demo.parties].sort()).toEqual(members.map((m) => hub.orgId(m)).sort());
    for (const member of members) {
      await expect(inForce(member, member)).resolves.toMatchObject({ agreementId: demo.agreementId, version: 1 });
      await expect(inForce('national-csirt', member)).resolves.toMatchObject({ agreementId: demo.agreementId });
    }
    const read = await get(`/api/v1/agreements/${demo.agreementId}`, coordinator).expect(200);
    expect([...read.body.partiesAccepted].sort()).toEqual([...demo.parties].sort());
    await get(`/api/v1/agreements/${demo.agreementId}`, hub.token('netwatch-isp', 'admin')).expect(404);
  });
});

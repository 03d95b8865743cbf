import pg from 'pg';
import { DEMO_ORGANISATIONS } from '#hub/demo-seed.js';
import { seedDemoAgreement } from '#joint-incidents';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * What lives inside a joint incident, over HTTP: updates and advisories with their audiences, RED to named users,
 * decisions, joint observables, and the onward AMBER pass with everything that ends it. Each reader sees exactly
 * what it may (lists and single reads, 404 otherwise), and a pseudonymous participant's organisation never
 * reaches another participant or the owner of a passed incident.
 */
describe('joint incidents: updates, decisions, observables and the onward pass', () => {
  let hub: TestHub;
  const COORD = 'national-csirt';
  const seen: { who: string; body: string }[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    await seedDemoAgreement(hub.app);
  });
  afterAll(async () => hub?.close());

  const token = (slug: DemoOrgSlug, role = 'admin') => hub.token(slug, role);
  /** Every response a member gets is kept for the pseudonym check at the end. */
  function keep<R extends { body: unknown; text?: string }>(who: string, res: R): R {
    seen.push({ who, body: `${JSON.stringify(res.body ?? '')} ${res.text ?? ''}` });
    return res;
  }
  const get = async (path: string, slug: DemoOrgSlug, role = 'admin') => keep(`${slug}/${role}`, await hub.http().get(path).set(bearer(token(slug, role))));
  const post = async (path: string, slug: DemoOrgSlug, body: unknown, role = 'admin') =>
    keep(`${slug}/${role}`, await hub.http().post(path).set(bearer(token(slug, role))).send(body as object));
  const del = async (path: string, slug: DemoOrgSlug, body?: unknown, role = 'admin') =>
    keep(`${slug}/${role}`, await hub.http().delete(path).set(bearer(token(slug, role))).send((body ?? {}) as object));
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

  async function openJoint(participants: { slug: DemoOrgSlug; pseudonymous?: boolean }[], marking = 'AMBER') {
    const joint = await post('/api/v1/joint-incidents', COORD, { title: 'Phishing wave', category: 'fraud', subType: 'phishing', severity: 3, marking }, 'coordinator');
    expect(joint.status).toBe(201);
    const id = joint.body.id as string;
    for (const p of participants) {
      const invited = await post(`/api/v1/joint-incidents/${id}/participants`, COORD, { organisationId: hub.orgId(p.slug), role: 'affected', pseudonymous: p.pseudonymous ?? false }, 'coordinator');
      expect(invited.status).toBe(201);
      const contacts = await get(`/api/v1/organisations/${hub.orgId(p.slug)}/points-of-contact`, p.slug);
      const accepted = await post(`/api/v1/joint-incidents/${id}/participants/${hub.orgId(p.slug)}/accept`, p.slug, { pointsOfContact: [contacts.body.items[0].id] });
      expect(accepted.status).toBe(200);
    }
    return id;
  }
  /** The participant id of an organisation inside a joint incident, as the coordinator sees it. */
  async function participantId(jointId: string, slug: DemoOrgSlug): Promise<string> {
    const list = await hub.http().get(`/api/v1/joint-incidents/${jointId}/participants`).set(bearer(token(COORD, 'coordinator'))).expect(200);
    const row = list.body.items.find((p: { organisationId?: string; organisation?: { id: string } }) => (p.organisationId ?? p.organisation?.id) === hub.orgId(slug));
    return row.id;
  }

  describe('updates, advisories and their audiences', () => {
    let joint: string;
    let gridParticipant: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
      gridParticipant = await participantId(joint, 'gridpower');
    });
    const updates = (j = joint) => `/api/v1/joint-incidents/${j}/updates`;
    const update = (body: Record<string, unknown>) => ({ kind: 'update', title: 'Status', body: 'Blocking the lookalike domains', marking: 'AMBER', audience: 'all', ...body });

    it('an advisory to all reaches every accepted participant; an outsider reads nothing', async () => {
      const advisory = await post(updates(), COORD, update({ kind: 'advisory', title: 'Reset credentials' }), 'coordinator');
      expect(advisory.status).toBe(201);
      expect(advisory.body).toMatchObject({ kind: 'advisory', audience: 'all', author: { id: hub.orgId(COORD), label: 'National CSIRT' } });
      for (const slug of ['northbank', 'gridpower', 'st-marys-hospital'] as const) {
        expect(ids(await get(updates(), slug, 'viewer'))).toContain(advisory.body.id);
        const one = await get(`${updates()}/${advisory.body.id}`, slug, 'viewer');
        expect(one.status).toBe(200);
        expect(one.body).toMatchObject({ title: 'Reset credentials', marking: 'AMBER' });
        expect(one.body).not.toHaveProperty('audienceParticipants');
      }
      expect((await get(updates(), 'netwatch-isp')).status).toBe(404);
      expect((await get(`${updates()}/${advisory.body.id}`, 'netwatch-isp')).status).toBe(404);
    });

    it('chosen participants only: the others get 404 and do not find it in the list', async () => {
      const chosen = await post(updates(), COORD, update({ audience: 'chosen', audienceOrgs: [hub.orgId('northbank'), gridParticipant] }), 'coordinator');
      expect(chosen.status).toBe(201);
      expect(chosen.body.audienceParticipants).toHaveLength(2);
      for (const slug of ['northbank', 'gridpower'] as const) expect((await get(`${updates()}/${chosen.body.id}`, slug)).status).toBe(200);
      expect((await get(`${updates()}/${chosen.body.id}`, 'st-marys-hospital')).status).toBe(404);
      expect(ids(await get(updates(), 'st-marys-hospital'))).not.toContain(chosen.body.id);
    });

    it('coordinator only: a participant writes to the coordination team, no other participant reads it', async () => {
      const note = await post(updates(), 'northbank', update({ audience: 'coordinator', title: 'Our exposure' }), 'handler');
      expect(note.status).toBe(201);
      expect(note.body.author).toEqual({ id: hub.orgId('northbank'), label: 'Northbank' });
      expect((await get(`${updates()}/${note.body.id}`, COORD, 'viewer')).status).toBe(200);
      for (const slug of ['gridpower', 'st-marys-hospital'] as const) {
        expect((await get(`${updates()}/${note.body.id}`, slug)).status).toBe(404);
        expect(ids(await get(updates(), slug))).not.toContain(note.body.id);
      }
    });

    it('a pseudonymous author appears by its pseudonym to the participants, by its organisation to the coordinator', async () => {
      const own = await post(updates(), 'gridpower', update({ title: 'Seen here too' }), 'handler');
      expect(own.status).toBe(201);
      const other = await get(`${updates()}/${own.body.id}`, 'northbank');
      expect(other.body.author).toEqual({ id: gridParticipant, label: expect.stringMatching(/^Participant [A-Z]+$/) });
      const coordinator = await get(`${updates()}/${own.body.id}`, COORD, 'viewer');
      expect(coordinator.body.author).toEqual({ id: hub.orgId('gridpower'), label: 'GridPower Energy' });
    });

    it('RED reaches only the named users', async () => {
      const red = await post(updates(), COORD, update({ marking: 'RED', audienceUsers: [hub.userId('northbank', 'handler')] }), 'coordinator');
      expect(red.status).toBe(201);
      expect((await get(`${updates()}/${red.body.id}`, 'northbank', 'handler')).status).toBe(200);
      expect(ids(await get(updates(), 'northbank', 'handler'))).toContain(red.body.id);
      for (const [slug, role] of [['northbank', 'viewer'], ['northbank', 'admin'], ['gridpower', 'handler'], ['st-marys-hospital', 'handler']] as const) {
        expect((await get(`${updates()}/${red.body.id}`, slug, role)).status).toBe(404);
        expect(ids(await get(updates(), slug, role))).not.toContain(red.body.id);
      }
    });

    it('refuses what the rules do not allow, naming the field and rule', async () => {
      const noUsers = await post(updates(), COORD, update({ marking: 'RED' }), 'coordinator');
      expect(noUsers.status).toBe(422);
      expect(noUsers.body.details[0]).toMatchObject({ field: 'audienceUsers', rule: 'markingRED' });
      expect((await post(updates(), COORD, update({ audienceUsers: [hub.userId('northbank', 'handler')] }), 'coordinator')).status).toBe(400);
      expect((await post(updates(), COORD, update({ audience: 'chosen' }), 'coordinator')).body.details[0]).toMatchObject({ field: 'audienceOrgs', rule: 'requiredForChosen' });
      const outsider = await post(updates(), COORD, update({ audience: 'chosen', audienceOrgs: [hub.orgId('netwatch-isp')] }), 'coordinator');
      expect(outsider.status).toBe(422);
      expect(outsider.body.details[0]).toMatchObject({ field: 'audienceOrgs[0]', rule: 'acceptedParticipant' });
      // A participant names a pseudonymous one by its participant id only: its organisation id is refused like an outsider's.
      // (Sent without keeping the answer: it echoes the id the test itself sent.)
      const byOrg = await hub.http().post(updates()).set(bearer(token('northbank', 'handler'))).send(update({ audience: 'chosen', audienceOrgs: [hub.orgId('gridpower')] }));
      expect(byOrg.status).toBe(422);
      expect(byOrg.body.details[0].message).toBe(outsider.body.details[0].message.replace(hub.orgId('netwatch-isp'), hub.orgId('gridpower')));
      expect((await post(updates(), 'northbank', update({ audience: 'chosen', audienceOrgs: [gridParticipant] }), 'handler')).status).toBe(201);
      const redToStranger = await post(updates(), 'northbank', update({ marking: 'RED', audienceUsers: [hub.userId('gridpower', 'handler')] }), 'handler');
      expect(redToStranger.status).toBe(422);
      expect((await post(updates(), 'northbank', update({ kind: 'advisory' }), 'handler')).status).toBe(403);
      expect((await post(updates(), 'northbank', update({}), 'viewer')).status).toBe(403);
      expect((await post(updates(), 'netwatch-isp', update({}))).status).toBe(404);
      expect((await post(updates(), 'northbank', update({ marking: 'amber' }), 'handler')).body.details[0]).toMatchObject({ field: 'marking' });
      expect((await post(updates('00000000-0000-4000-8000-000000000000'), COORD, update({}), 'coordinator')).status).toBe(404);
    });

    it('pages the list newest first by cursor', async () => {
      const first = await get(`${updates()}?limit=2`, COORD, 'viewer');
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(`${updates()}?limit=2&cursor=${first.body.nextCursor}`, COORD, 'viewer');
      expect(second.status).toBe(200);
      const all = ids(await get(updates(), COORD, 'viewer'));
      expect([...ids(first), ...ids(second)]).toEqual(all.slice(0, 4));
      expect((await get(`${updates()}?cursor=nonsense`, COORD, 'viewer')).status).toBe(400);
    });

    it('decisions: the coordination team records them, every participant reads them, nobody else', async () => {
      const decisions = `/api/v1/joint-incidents/${joint}/decisions`;
      const decided = await post(decisions, COORD, { decision: 'Take down the lookalike domains', rationale: 'Active credential theft' }, 'coordinator');
      expect(decided.status).toBe(201);
      expect(decided.body).toMatchObject({ decidedBy: hub.userId(COORD, 'coordinator'), marking: 'AMBER' });
      for (const slug of ['northbank', 'gridpower', 'st-marys-hospital'] as const) {
        const list = await get(decisions, slug, 'viewer');
        expect(list.body.items).toEqual([expect.objectContaining({ id: decided.body.id, decision: 'Take down the lookalike domains', rationale: 'Active credential theft' })]);
      }
      expect((await post(decisions, 'northbank', { decision: 'x', rationale: 'y' }, 'handler')).status).toBe(403);
      expect((await post(decisions, COORD, { decision: '', rationale: 'y' }, 'coordinator')).status).toBe(400);
      expect((await get(decisions, 'netwatch-isp')).status).toBe(404);
    });

    it('observables: validated and normalised as incident observables, each reader sees what its marking allows', async () => {
      const observables = `/api/v1/joint-incidents/${joint}/observables`;
      const added = await post(observables, 'gridpower', { type: 'domain', value: 'Northbank-Login.Example.', marking: 'AMBER', pap: 'GREEN' }, 'handler');
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ value: 'northbank-login.example', pap: 'GREEN', author: { id: hub.orgId('gridpower') } });
      expect((await post(observables, 'gridpower', { type: 'domain', value: 'northbank-login.example', marking: 'AMBER' }, 'handler')).status).toBe(409);
      const bad = await post(observables, 'gridpower', { type: 'ipv4', value: '300.1.1.1', marking: 'AMBER' }, 'handler');
      expect(bad.status).toBe(400);
      expect(bad.body.details[0]).toMatchObject({ field: 'value', rule: 'validipv4' });
      const red = await post(observables, COORD, { type: 'ipv4', value: '192.0.2.10', marking: 'RED', audienceUsers: [hub.userId('st-marys-hospital', 'viewer')] }, 'coordinator');
      expect(red.status).toBe(201);
      const northbank = await get(observables, 'northbank', 'viewer');
      expect(northbank.body.items).toEqual([expect.objectContaining({ id: added.body.id, author: { id: gridParticipant, label: expect.stringMatching(/^Participant/) } })]);
      expect(ids(await get(observables, 'st-marys-hospital', 'viewer'))).toEqual([red.body.id, added.body.id]);
      expect(ids(await get(observables, 'st-marys-hospital', 'admin'))).toEqual([added.body.id]);
      expect(ids(await get(observables, COORD, 'viewer')).sort()).toEqual([added.body.id, red.body.id].sort());
      expect((await get(observables, 'netwatch-isp')).status).toBe(404);
    });
    it("logs every change in the joint incident's chain and routes its outbox row by the keys that read it", async () => {
      const chosen = await post(updates(), COORD, update({ audience: 'chosen', audienceOrgs: [hub.orgId('st-marys-hospital')] }), 'coordinator');
      const log = await get(`/api/v1/joint-incidents/${joint}/log`, COORD, 'coordinator');
      const actions = log.body.items.map((e: { action: string }) => e.action);
      for (const action of ['joint_advisory.issued', 'joint_update.posted', 'joint_decision.recorded', 'joint_observable.added']) expect(actions).toContain(action);
      expect(log.body.items.at(-1)).toMatchObject({ action: 'joint_update.posted', details: { updateId: chosen.body.id, audience: 'chosen' } });
      expect((await get(`/api/v1/joint-incidents/${joint}/log/verify`, COORD, 'coordinator')).body).toMatchObject({ valid: true });
      const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
      await owner.connect();
      try {
        await owner.query('BEGIN');
        await owner.query("SELECT set_config('hub.org_id', $1, true)", [hub.orgId(COORD)]);
        const { rows } = await owner.query('SELECT event_type, grantees FROM outbox WHERE aggregate_id = $1', [chosen.body.id]);
        await owner.query('COMMIT');
        expect(rows).toEqual([{ event_type: 'joint_update.created', grantees: [`org:${hub.orgId(COORD)}`, `org:${hub.orgId('st-marys-hospital')}`].sort() }]);
      } finally {
        await owner.end();
      }
    });
  });

  describe('linked incidents and the onward AMBER pass', () => {
    let joint: string;
    let gridParticipant: string;
    beforeAll(async () => {
      joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower', pseudonymous: true }, { slug: 'st-marys-hospital' }]);
      gridParticipant = await participantId(joint, 'gridpower');
    });
    const linked = (j = joint) => `/api/v1/joint-incidents/${j}/linked-incidents`;

    /** A Northbank incident with an AMBER and a RED observable, released with the AMBER one to the coordinator. */
    async function releasedIncident(marking = 'AMBER', owner: DemoOrgSlug = 'northbank') {
      const incident = await post('/api/v1/incidents', owner, {
        title: 'Credential phishing against treasury staff', summary: 'Lookalike domain', category: 'fraud', subType: 'phishing', severity: 3, marking,
        internalNotes: 'CFO clicked twice',
      }, 'handler');
      expect(incident.status).toBe(201);
      const amber = await post(`/api/v1/incidents/${incident.body.id}/observables`, owner, { type: 'domain', value: `login-${incident.body.id.slice(0, 8)}.example`, marking: 'AMBER' }, 'handler');
      const red = await post(`/api/v1/incidents/${incident.body.id}/observables`, owner, { type: 'domain', value: `c2-${incident.body.id.slice(0, 8)}.example`, marking: 'RED' }, 'handler');
      const release = await post(`/api/v1/incidents/${incident.body.id}/releases`, owner, {
        recipients: [{ kind: 'organisation', id: hub.orgId(COORD) }], observables: marking === 'AMBER' || marking === 'GREEN' || marking === 'CLEAR' || marking === 'AMBER+STRICT' ? [amber.body.id] : [],
      }, 'handler');
      expect(release.status).toBe(201);
      return { id: incident.body.id as string, version: incident.body.version as number, amber: amber.body.id as string, red: red.body.id as string, releaseId: release.body.items[0].id as string };
    }
    async function passOn(incidentId: string) {
      const res = await post(linked(), COORD, { incidentId, passOn: true }, 'coordinator');
      expect(res.status).toBe(201);
      return res;
    }
    const readsVia = async (slug: DemoOrgSlug, incidentId: string) =>
      (await get(linked(), slug, 'viewer')).body.items.some((i: { incidentId: string }) => i.incidentId === incidentId);

    it('passes an AMBER incident on: the other participants read it and its AMBER observable through the joint incident', async () => {
      const incident = await releasedIncident();
      const passed = await passOn(incident.id);
      expect(passed.body).toMatchObject({ incidentId: incident.id, passedOn: true, incident: { id: incident.id, marking: 'AMBER' } });
      for (const slug of ['gridpower', 'st-marys-hospital'] as const) {
        const list = await get(linked(), slug, 'viewer');
        const item = list.body.items.find((i: { incidentId: string }) => i.incidentId === incident.id);
        expect(item.incident).toMatchObject({ id: incident.id, orgId: hub.orgId('northbank'), title: 'Credential phishing against treasury staff' });
        expect(item.incident).not.toHaveProperty('internalNotes');
        expect(item.incident.observables.map((o: { id: string }) => o.id)).toEqual([incident.amber]);
        expect((await get(`/api/v1/shared/incidents/${incident.id}`, slug, 'viewer')).status).toBe(200);
      }
      // The owner is not passed its own incident; an outsider reads nothing.
      expect(await readsVia('northbank', incident.id)).toBe(false);
      expect((await get(linked(), 'netwatch-isp')).status).toBe(404);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'netwatch-isp')).status).toBe(404);

      // The owner lists where it went: St Mary's by name, the pseudonymous participant by pseudonym only.
      const passes = await get(`/api/v1/incidents/${incident.id}/passes`, 'northbank', 'viewer');
      expect(passes.status).toBe(200);
      const forIncident = passes.body.items.filter((p: { objectType: string }) => p.objectType === 'incident');
      expect(forIncident).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ jointIncidentId: joint, participant: expect.objectContaining({ organisation: { id: hub.orgId('st-marys-hospital'), name: "St Mary's Hospital" } }) }),
          expect.objectContaining({ jointIncidentId: joint, participant: { id: gridParticipant, pseudonym: expect.stringMatching(/^Participant/), organisation: null } }),
        ]),
      );
      expect(forIncident).toHaveLength(2);
      expect(passes.body.items.filter((p: { objectType: string }) => p.objectType === 'observable')).toHaveLength(2);
      // The coordination team's explanation shows the chain: released to it, passed on through the joint incident.
      const chain = await get(`/api/v1/incidents/${incident.id}/access`, COORD, 'coordinator');
      expect(chain.body.readers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ grantee: `org:${hub.orgId(COORD)}`, via: null }),
          expect.objectContaining({ grantee: `org:${hub.orgId('st-marys-hospital')}`, via: `joint:${joint}`, rule: `passed on into joint:${joint}` }),
        ]),
      );
      // Not the owner's: 404, as for a missing incident.
      expect((await get(`/api/v1/incidents/${incident.id}/passes`, 'st-marys-hospital')).status).toBe(404);
      // Below the API: as the application role in the owner's transaction, the access table shows the owner its
      // release to the coordinator only, never the derived rows naming the participants.
      const client = await hub.appClient();
      await client.query('BEGIN');
      await client.query("SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', 'member', true)", [hub.orgId('northbank')]);
      const rows = (await client.query('SELECT grantee, via FROM access WHERE object_id = $1', [incident.id])).rows;
      await client.query('COMMIT');
      expect(rows).toEqual([{ grantee: `org:${hub.orgId(COORD)}`, via: null }]);
      // The owner's explanation does not name who reads it through someone else's joint incident.
      const explained = await get(`/api/v1/incidents/${incident.id}/access`, 'northbank', 'viewer');
      expect(explained.status).toBe(200);
      expect(explained.body.readers.every((r: { via: string | null }) => r.via === null)).toBe(true);
    });

    it("keeps a passed incident in the participants' shared list in the order of its last change", async () => {
      const older = await releasedIncident();
      await passOn(older.id);
      const newer = [await releasedIncident(), await releasedIncident()];
      for (const incident of newer) await passOn(incident.id);
      expect(ids(await get('/api/v1/shared/incidents?limit=1', 'st-marys-hospital', 'viewer'))).toEqual([newer[1].id]);
      // The page is read from the newest grants first (access.sort_at): the derived rows must follow the incident.
      const changed = await hub.http().patch(`/api/v1/incidents/${older.id}`).set(bearer(token('northbank', 'handler'))).send({ version: older.version, severity: 4 });
      expect(changed.status).toBe(200);
      expect(ids(await get('/api/v1/shared/incidents?limit=1', 'st-marys-hospital', 'viewer'))).toEqual([older.id]);
    });

    it('ends at once when the owner revokes its release to the coordinator', async () => {
      const incident = await releasedIncident();
      await passOn(incident.id);
      expect(await readsVia('st-marys-hospital', incident.id)).toBe(true);
      const revoked = await del(`/api/v1/incidents/${incident.id}/releases/${incident.releaseId}`, 'northbank', undefined, 'handler');
      expect(revoked.status).toBe(200);
      expect(await readsVia('st-marys-hospital', incident.id)).toBe(false);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'st-marys-hospital')).status).toBe(404);
      expect((await get(`/api/v1/incidents/${incident.id}/passes`, 'northbank')).body.items).toEqual([]);
    });

    it.each(['AMBER+STRICT', 'RED'])('ends at once when the owner tightens the marking to %s', async (marking) => {
      const incident = await releasedIncident();
      await passOn(incident.id);
      expect(await readsVia('gridpower', incident.id)).toBe(true);
      const tightened = await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(token('northbank', 'handler'))).send({ version: incident.version, marking });
      expect(tightened.status).toBe(200);
      for (const slug of ['gridpower', 'st-marys-hospital'] as const) {
        expect(await readsVia(slug, incident.id)).toBe(false);
        expect((await get(`/api/v1/shared/incidents/${incident.id}`, slug)).status).toBe(404);
      }
      expect((await get(`/api/v1/incidents/${incident.id}/passes`, 'northbank')).body.items).toEqual([]);
    });

    it('ends at once when the link is removed', async () => {
      const incident = await releasedIncident();
      await passOn(incident.id);
      expect(await readsVia('st-marys-hospital', incident.id)).toBe(true);
      expect((await del(`${linked()}/${incident.id}`, COORD, undefined, 'coordinator')).status).toBe(200);
      expect(await readsVia('st-marys-hospital', incident.id)).toBe(false);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'st-marys-hospital')).status).toBe(404);
      expect((await del(`${linked()}/${incident.id}`, COORD, undefined, 'coordinator')).status).toBe(404);
    });

    it('ends at once when the participant is removed', async () => {
      const other = await openJoint([{ slug: 'gridpower' }, { slug: 'st-marys-hospital' }]);
      const incident = await releasedIncident();
      expect((await post(`/api/v1/joint-incidents/${other}/linked-incidents`, COORD, { incidentId: incident.id, passOn: true }, 'coordinator')).status).toBe(201);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'st-marys-hospital')).status).toBe(200);
      const removed = await del(`/api/v1/joint-incidents/${other}/participants/${hub.orgId('st-marys-hospital')}`, COORD, { reason: 'no longer affected' }, 'coordinator');
      expect(removed.status).toBe(200);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'st-marys-hospital')).status).toBe(404);
      expect((await get(`/api/v1/joint-incidents/${other}/linked-incidents`, 'st-marys-hospital')).status).toBe(404);
      expect((await get(`/api/v1/shared/incidents/${incident.id}`, 'gridpower')).status).toBe(200);
    });

    it('refuses to pass on AMBER+STRICT or RED, naming the rule; links without passing them on', async () => {
      const strict = await releasedIncident('AMBER+STRICT');
      const refused = await post(linked(), COORD, { incidentId: strict.id, passOn: true }, 'coordinator');
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'ONWARD_PASS_NOT_ALLOWED_BY_MARKING', details: [expect.objectContaining({ field: 'passOn', rule: 'markingAMBER+STRICT' })] });
      expect(refused.body.message).toContain('never AMBER+STRICT or RED');
      const red = await post('/api/v1/incidents', 'northbank', { title: 'Insider', category: 'fraud', subType: 'phishing', severity: 2, marking: 'RED' }, 'handler');
      await post(`/api/v1/incidents/${red.body.id}/releases`, 'northbank', { recipients: [{ kind: 'user', id: hub.userId(COORD, 'coordinator') }] }, 'handler');
      const redRefused = await post(linked(), COORD, { incidentId: red.body.id, passOn: true }, 'coordinator');
      expect(redRefused.status).toBe(422);
      expect(redRefused.body.details[0]).toMatchObject({ rule: 'markingRED' });
      // Linked without passing on: the coordinator keeps it in view, the participants read nothing of it.
      const plain = await post(linked(), COORD, { incidentId: strict.id }, 'coordinator');
      expect(plain.status).toBe(201);
      expect(plain.body).toMatchObject({ passedOn: false, incident: { id: strict.id, marking: 'AMBER+STRICT' } });
      expect(await readsVia('st-marys-hospital', strict.id)).toBe(false);
      expect((await post(linked(), COORD, { incidentId: strict.id }, 'coordinator')).status).toBe(409);
      // Not released to the coordinator: 422; not the coordinator: 403; a participant's GET is its own view.
      const unreleased = await post('/api/v1/incidents', 'northbank', { title: 'Kept', category: 'fraud', subType: 'phishing', severity: 1, marking: 'AMBER' }, 'handler');
      expect((await post(linked(), COORD, { incidentId: unreleased.body.id, passOn: true }, 'coordinator')).status).toBe(422);
      expect((await post(linked(), 'northbank', { incidentId: strict.id }, 'handler')).status).toBe(403);
      expect((await post(linked(), COORD, { incidentId: 'not-a-uuid' }, 'coordinator')).status).toBe(400);
    });

    it("masks a pseudonymous owner of a passed incident to the other participants", async () => {
      const incident = await releasedIncident('AMBER', 'gridpower');
      await passOn(incident.id);
      const list = await get(linked(), 'st-marys-hospital', 'viewer');
      const item = list.body.items.find((i: { incidentId: string }) => i.incidentId === incident.id);
      expect(item.incident).toMatchObject({ id: incident.id, orgId: gridParticipant, ownerLabel: expect.stringMatching(/^Participant/) });
      // Every other channel that reads the shared view masks the owner the same way (the database does it).
      for (const slug of ['st-marys-hospital', 'northbank'] as const) {
        expect((await get(`/api/v1/shared/incidents/${incident.id}`, slug, 'viewer')).body).toMatchObject({ id: incident.id, orgId: gridParticipant });
        const inbox = await get('/api/v1/shared/incidents', slug, 'viewer');
        expect(inbox.body.items.find((i: { id: string }) => i.id === incident.id)).toMatchObject({ orgId: gridParticipant });
        // Filtering by the hidden organisation finds nothing: the filter cannot be used to unmask it.
        const probe = await hub.http().get(`/api/v1/shared/incidents?organisation=${hub.orgId('gridpower')}`).set(bearer(token(slug, 'viewer')));
        expect(probe.body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);
      }
      const coordinator = await get(linked(), COORD, 'viewer');
      expect(coordinator.body.items.find((i: { incidentId: string }) => i.incidentId === incident.id).incident.orgId).toBe(hub.orgId('gridpower'));
    });
  });

  it('answers every caller it does not let in exactly as it answers a missing id, on every route', async () => {
    const joint = await openJoint([{ slug: 'northbank' }, { slug: 'gridpower' }]);
    // St Mary's is invited but has not answered; GridPower is removed; NetWatch never took part.
    expect((await post(`/api/v1/joint-incidents/${joint}/participants`, COORD, { organisationId: hub.orgId('st-marys-hospital'), role: 'observer' }, 'coordinator')).status).toBe(201);
    expect((await del(`/api/v1/joint-incidents/${joint}/participants/${hub.orgId('gridpower')}`, COORD, { reason: 'left' }, 'coordinator')).status).toBe(200);
    const update = await post(`/api/v1/joint-incidents/${joint}/updates`, COORD, { kind: 'advisory', title: 'a', body: 'b', marking: 'AMBER', audience: 'all' }, 'coordinator');
    const red = await post(`/api/v1/joint-incidents/${joint}/updates`, COORD, { kind: 'update', title: 'a', body: 'b', marking: 'RED', audience: 'all', audienceUsers: [hub.userId('northbank', 'handler')] }, 'coordinator');
    const incident = await post('/api/v1/incidents', 'northbank', { title: 'Passed', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' }, 'handler');
    await post(`/api/v1/incidents/${incident.body.id}/releases`, 'northbank', { recipients: [{ kind: 'organisation', id: hub.orgId(COORD) }] }, 'handler');
    expect((await post(`/api/v1/joint-incidents/${joint}/linked-incidents`, COORD, { incidentId: incident.body.id, passOn: true }, 'coordinator')).status).toBe(201);

    const MISSING = '00000000-0000-4000-8000-000000000001';
    const routes: [string, string, Record<string, unknown>?][] = [
      ['GET', '/api/v1/joint-incidents/J/updates'],
      ['GET', '/api/v1/joint-incidents/J/updates/U'],
      ['GET', '/api/v1/joint-incidents/J/decisions'],
      ['GET', '/api/v1/joint-incidents/J/observables'],
      ['GET', '/api/v1/joint-incidents/J/linked-incidents'],
      ['POST', '/api/v1/joint-incidents/J/updates', { kind: 'update', title: 'a', body: 'b', marking: 'AMBER', audience: 'all' }],
      ['POST', '/api/v1/joint-incidents/J/observables', { type: 'cve', value: 'CVE-2024-3094', marking: 'GREEN' }],
      ['POST', '/api/v1/joint-incidents/J/decisions', { decision: 'a', rationale: 'b' }],
      ['POST', '/api/v1/joint-incidents/J/linked-incidents', { incidentId: incident.body.id }],
      ['DELETE', '/api/v1/joint-incidents/J/linked-incidents/I'],
      ['GET', '/api/v1/incidents/I/passes'],
    ];
    const answer = async (slug: DemoOrgSlug, role: string, method: string, path: string, body?: Record<string, unknown>) => {
      const call = hub.http()[method.toLowerCase() as 'get' | 'post' | 'delete'](path).set(bearer(token(slug, role)));
      const res = await (body ? call.send(body) : call);
      keep(`${slug}/${role}`, res);
      return { status: res.status, code: res.body.code, message: res.body.message };
    };
    const callers: [DemoOrgSlug, string][] = [['st-marys-hospital', 'handler'], ['gridpower', 'handler'], ['netwatch-isp', 'admin']];
    for (const [slug, role] of callers) {
      for (const [method, template, body] of routes) {
        // The passes are the owner's: every other organisation meets them as a missing incident.
        const real = template.replace('J', joint).replace('U', update.body.id).replace('I', incident.body.id);
        const missing = template.replace('J', MISSING).replace('U', MISSING).replace('I', MISSING);
        const [got, none] = [await answer(slug, role, method, real, body), await answer(slug, role, method, missing, body)];
        expect({ route: `${method} ${template}`, slug, ...got }).toEqual({ route: `${method} ${template}`, slug, ...none });
        expect([403, 404]).toContain(got.status);
      }
    }
    // A member that may not read one update meets it as a missing one.
    expect(await answer('northbank', 'viewer', 'GET', `/api/v1/joint-incidents/${joint}/updates/${red.body.id}`)).toEqual(
      await answer('northbank', 'viewer', 'GET', `/api/v1/joint-incidents/${joint}/updates/${MISSING}`),
    );
  });

  it("a closed joint incident's workspace is final: no update, decision, observable or link", async () => {
    const joint = await openJoint([{ slug: 'northbank' }]);
    let version = 1;
    for (const phase of ['assess_decide', 'learn_lessons', 'closed']) {
      if (phase === 'closed') {
        // Closing needs the joint report of the lessons-learned review published.
        const draft = keep(`${COORD}/coordinator`, await hub.http().put(`/api/v1/joint-incidents/${joint}/report`).set(bearer(token(COORD, 'coordinator'))).send({ summary: 'Reviewed', marking: 'AMBER' }));
        expect(draft.status).toBe(200);
        expect((await post(`/api/v1/joint-incidents/${joint}/report/publish`, COORD, { version: draft.body.version }, 'coordinator')).status).toBe(200);
      }
      const moved = await post(`/api/v1/joint-incidents/${joint}/phase`, COORD, { phase, reason: 'done', version, closingSummary: 'Contained and reviewed' }, 'coordinator');
      expect(moved.status).toBe(200);
      version = moved.body.version;
    }
    const update = { kind: 'update', title: 'Late', body: 'x', marking: 'AMBER', audience: 'all' };
    expect((await post(`/api/v1/joint-incidents/${joint}/updates`, 'northbank', update, 'handler')).body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await post(`/api/v1/joint-incidents/${joint}/updates`, COORD, update, 'coordinator')).status).toBe(409);
    expect((await post(`/api/v1/joint-incidents/${joint}/decisions`, COORD, { decision: 'x', rationale: 'y' }, 'coordinator')).status).toBe(409);
    expect((await post(`/api/v1/joint-incidents/${joint}/observables`, 'northbank', { type: 'cve', value: 'cve-2024-3094', marking: 'GREEN' }, 'handler')).status).toBe(409);
    const contribution = { whatHappened: 'x', marking: 'AMBER', audience: 'all' };
    expect((await hub.http().put(`/api/v1/joint-incidents/${joint}/contribution`).set(bearer(token('northbank', 'handler'))).send(contribution)).body.code).toBe('JOINT_INCIDENT_CLOSED');
    expect((await get(`/api/v1/joint-incidents/${joint}/updates`, 'northbank')).status).toBe(200);
  });

  it("never shows a pseudonymous participant's organisation to another participant or to the owner of a passed incident", () => {
    const grid = DEMO_ORGANISATIONS.find((o) => o.slug === 'gridpower')!;
    const others = seen.filter((s) => s.who.startsWith('northbank/') || s.who.startsWith('st-marys-hospital/'));
    expect(others.length).toBeGreaterThan(30);
    for (const response of others) {
      expect(response.body).not.toContain(hub.orgId('gridpower'));
      expect(response.body).not.toContain(grid.name);
    }
  });
});

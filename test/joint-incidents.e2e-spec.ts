import pg from 'pg';
import { bearer, type DemoOrgSlug, startTestHub, type TestHub } from './support/test-hub.js';

/**
 * Joint incidents over HTTP: the coordinator opens and escalates, invites; participants accept or decline
 * (only then do they read anything); pseudonymous participants stay pseudonymous to the others in every
 * response; removal and a RED marking withdraw at once; the phase machine; the log; outsiders get 404.
 */
describe('joint incidents', () => {
  let hub: TestHub;
  let agreementId: string;

  const as = (slug: DemoOrgSlug, role: string) => {
    const auth = bearer(hub.token(slug, role));
    return {
      get: (path: string) => hub.http().get(`/api/v1${path}`).set(auth),
      post: (path: string, body: object = {}) => hub.http().post(`/api/v1${path}`).set(auth).send(body),
      patch: (path: string, body: object) => hub.http().patch(`/api/v1${path}`).set(auth).send(body),
      put: (path: string, body: object) => hub.http().put(`/api/v1${path}`).set(auth).send(body),
      delete: (path: string, body: object = {}) => hub.http().delete(`/api/v1${path}`).set(auth).send(body),
    };
  };
  const coordinator = () => as('national-csirt', 'coordinator');
  const open = (body: object = {}) =>
    coordinator().post('/joint-incidents', { title: 'Phishing wave', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER', ...body });
  const contactsOf = async (slug: DemoOrgSlug) =>
    ((await as(slug, 'admin').get(`/organisations/${hub.orgId(slug)}/points-of-contact`).expect(200)).body.items as { id: string }[]).map((c) => c.id);
  const acceptAgreement = async (slug: DemoOrgSlug, version = 1) => {
    const [a, b] = await contactsOf(slug);
    await as(slug, 'admin')
      .post(`/agreements/${agreementId}/acceptances`, {
        version,
        pointsOfContact: [a, b].map((id) => ({ duty: 'point of contact', pointOfContactId: id })),
      })
      .expect(201);
  };
  const invite = (jointId: string, slug: DemoOrgSlug, role = 'affected', pseudonymous = false) =>
    coordinator().post(`/joint-incidents/${jointId}/participants`, { organisationId: hub.orgId(slug), role, pseudonymous });
  /** Accepts as the organisation's admin, naming `contacts` or its first two directory entries; expects `status`. */
  const accept = async (jointId: string, slug: DemoOrgSlug, status: number, contacts?: string[]) =>
    as(slug, 'admin')
      .post(`/joint-incidents/${jointId}/participants/${hub.orgId(slug)}/accept`, { pointsOfContact: contacts ?? (await contactsOf(slug)).slice(0, 2) })
      .expect(status);

  beforeAll(async () => {
    hub = await startTestHub();
    const agreement = await coordinator()
      .post('/agreements', {
        title: 'Sector agreement',
        text: 'We coordinate.',
        parties: [hub.orgId('northbank'), hub.orgId('gridpower'), hub.orgId('st-marys-hospital')],
        defaultMarking: 'AMBER',
        validFrom: new Date(Date.now() - 60_000).toISOString(),
      })
      .expect(201);
    agreementId = agreement.body.id;
    await acceptAgreement('northbank');
    await acceptAgreement('gridpower');
    // St Mary's is a party but has not accepted: it cannot take part yet.
  });
  afterAll(async () => hub?.close());

  describe('opening', () => {
    it('opens from scratch for a coordinator only, with the classification checked', async () => {
      const created = await open({ exercise: true }).expect(201);
      expect(created.body).toMatchObject({ phase: 'detect_report', exercise: true, marking: 'AMBER', coordinatorOrgId: hub.orgId('national-csirt'), participants: [] });
      await as('national-csirt', 'handler').post('/joint-incidents', { title: 't', category: 'fraud', subType: 'phishing', severity: 1, marking: 'AMBER' }).expect(403);
      await as('northbank', 'admin').post('/joint-incidents', { title: 't', category: 'fraud', subType: 'phishing', severity: 1, marking: 'AMBER' }).expect(403);
      const bad = await open({ subType: 'ddos' }).expect(400);
      expect(bad.body.details[0]).toMatchObject({ field: 'subType', rule: 'knownClassification' });
      const badMarking = await open({ marking: 'amber' }).expect(400);
      expect(badMarking.body.details[0].field).toBe('marking');
    });

    it('escalates incidents released to the coordinator, linked and not passed on; anything else is refused', async () => {
      const incident = await as('northbank', 'handler')
        .post('/incidents', { title: 'Credential phishing', category: 'fraud', subType: 'phishing', severity: 3, marking: 'AMBER' })
        .expect(201);
      const unreleased = await as('northbank', 'handler')
        .post('/incidents', { title: 'Internal', category: 'fraud', subType: 'phishing', severity: 2, marking: 'AMBER' })
        .expect(201);
      await as('northbank', 'handler')
        .post(`/incidents/${incident.body.id}/releases`, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }] })
        .expect(201);
      const refused = await open({ escalate: [incident.body.id, unreleased.body.id] }).expect(422);
      expect(refused.body.details[0]).toMatchObject({ field: 'escalate', rule: 'releasedToCoordinator' });
      const escalated = await open({ escalate: [incident.body.id] }).expect(201);
      expect(escalated.body.linkedIncidents).toEqual([
        expect.objectContaining({ incidentId: incident.body.id, organisationId: hub.orgId('northbank'), passedOn: false }),
      ]);
      // The member sees nothing of the joint incident it was escalated into: it was not invited.
      await as('northbank', 'handler').get(`/joint-incidents/${escalated.body.id}`).expect(404);
    });
  });

  describe('participants', () => {
    let jointId: string;
    let gridpowerParticipantId: string;
    let nbContact: string;

    beforeAll(async () => {
      jointId = (await open({ title: 'Grid and bank phishing' }).expect(201)).body.id;
      // Northbank names its viewer as a point of contact (RED reaches named users only).
      nbContact = (
        await as('northbank', 'admin')
          .post('/points-of-contact', {
            name: 'Joint desk',
            userId: hub.userId('northbank', 'viewer'),
            channels: [{ kind: 'email', value: 'joint@northbank.demo' }, { kind: 'phone', value: '+49 30 1' }],
          })
          .expect(201)
      ).body.id;
    });

    it('refuses invitations without an agreement in force, of the coordinator itself, and of unknown organisations', async () => {
      const noAgreement = await invite(jointId, 'st-marys-hospital').expect(422);
      expect(noAgreement.body.code).toBe('AGREEMENT_REQUIRED');
      expect(noAgreement.body.message).toMatch(/agreement/);
      expect((await invite(jointId, 'netwatch-isp').expect(422)).body.code).toBe('AGREEMENT_REQUIRED');
      expect((await invite(jointId, 'national-csirt').expect(422)).body.details[0]).toMatchObject({ field: 'organisationId', rule: 'eligibleParticipant' });
      await coordinator().post(`/joint-incidents/${jointId}/participants`, { organisationId: '00000000-0000-4000-8000-000000000000', role: 'lead' }).expect(422);
      await coordinator().post(`/joint-incidents/${jointId}/participants`, { organisationId: hub.orgId('northbank'), role: 'boss' }).expect(400);
    });

    it('shows an invited organisation nothing until it accepts', async () => {
      const invited = await invite(jointId, 'northbank', 'lead').expect(201);
      expect(invited.body).toMatchObject({ organisationId: hub.orgId('northbank'), role: 'lead', state: 'invited', pseudonym: null });
      await invite(jointId, 'northbank').expect(409);
      const pseudonymous = await invite(jointId, 'gridpower', 'affected', true).expect(201);
      expect(pseudonymous.body.pseudonym).toMatch(/^Participant [A-Z]$/);
      gridpowerParticipantId = pseudonymous.body.id;

      for (const path of [`/joint-incidents/${jointId}`, `/joint-incidents/${jointId}/participants`, `/joint-incidents/${jointId}/access`]) {
        await as('northbank', 'admin').get(path).expect(404);
      }
      expect((await as('northbank', 'admin').get('/joint-incidents').expect(200)).body.items).toEqual([]);
    });

    it('takes the answer from the invited organisation admin or handler only, with its own points of contact', async () => {
      await as('northbank', 'viewer').post(`/joint-incidents/${jointId}/participants/${hub.orgId('northbank')}/accept`, { pointsOfContact: [] }).expect(403);
      // Answering for another organisation: no such invitation.
      await as('gridpower', 'admin').post(`/joint-incidents/${jointId}/participants/${hub.orgId('northbank')}/accept`, { pointsOfContact: [] }).expect(404);
      const foreign = await accept(jointId, 'northbank', 422, (await contactsOf('gridpower')).slice(0, 1));
      expect(foreign.body.details[0]).toMatchObject({ field: 'pointsOfContact', rule: 'ownDirectoryEntries' });
      const accepted = await accept(jointId, 'northbank', 200, [nbContact]);
      expect(accepted.body).toMatchObject({ state: 'accepted', pointsOfContact: [nbContact] });
      await accept(jointId, 'northbank', 409, [nbContact]);
      await accept(jointId, 'gridpower', 200);

      const seen = await as('northbank', 'handler').get(`/joint-incidents/${jointId}`).expect(200);
      expect(seen.body).toMatchObject({ id: jointId, title: 'Grid and bank phishing', coordinatorName: 'National CSIRT' });
      expect(seen.body.linkedIncidents).toBeUndefined();
      const listed = await as('northbank', 'handler').get('/joint-incidents').expect(200);
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([jointId]);
    });

    it('declines with a reason; a declined organisation reads nothing', async () => {
      await acceptAgreement('st-marys-hospital');
      await invite(jointId, 'st-marys-hospital', 'observer').expect(201);
      const path = `/joint-incidents/${jointId}/participants/${hub.orgId('st-marys-hospital')}/decline`;
      expect((await as('st-marys-hospital', 'handler').post(path, {}).expect(400)).body.details[0].field).toBe('reason');
      const declined = await as('st-marys-hospital', 'handler').post(path, { reason: 'not affected' }).expect(200);
      expect(declined.body).toMatchObject({ state: 'declined', declineReason: 'not affected' });
      await as('st-marys-hospital', 'admin').get(`/joint-incidents/${jointId}`).expect(404);
      const all = await coordinator().get(`/joint-incidents/${jointId}/participants`).expect(200);
      expect(all.body.items.map((p: { state: string }) => p.state)).toEqual(['accepted', 'accepted', 'declined']);
    });

    it('never shows a pseudonymous participant organisation to another participant, anywhere', async () => {
      const responses = [
        await as('northbank', 'admin').get(`/joint-incidents/${jointId}`).expect(200),
        await as('northbank', 'admin').get(`/joint-incidents/${jointId}/participants`).expect(200),
        await as('northbank', 'admin').get(`/joint-incidents/${jointId}/access`).expect(200),
        await as('northbank', 'admin').get('/joint-incidents').expect(200),
        await as('northbank', 'admin').get(`/joint-incidents/${jointId}/log/checkpoints`).expect(200),
      ];
      for (const response of responses) {
        const json = JSON.stringify(response.body);
        expect(json).not.toContain(hub.orgId('gridpower'));
        expect(json).not.toMatch(/GridPower/i);
      }
      const participants = responses[1].body.items;
      expect(participants).toContainEqual({ id: gridpowerParticipantId, pseudonym: expect.stringMatching(/^Participant /), role: 'affected' });
      expect(participants).toContainEqual(expect.objectContaining({ organisationId: hub.orgId('northbank'), organisationName: 'Northbank' }));
      // The coordinator sees who it is; the pseudonymous participant sees itself.
      const forCoordinator = await coordinator().get(`/joint-incidents/${jointId}/participants`).expect(200);
      expect(forCoordinator.body.items).toContainEqual(expect.objectContaining({ id: gridpowerParticipantId, organisationId: hub.orgId('gridpower') }));
      const forItself = await as('gridpower', 'viewer').get(`/joint-incidents/${jointId}/participants`).expect(200);
      expect(forItself.body.items).toContainEqual(expect.objectContaining({ id: gridpowerParticipantId, organisationId: hub.orgId('gridpower') }));
    });

    it('writes an outbox row per change with the grantee keys that may read the joint incident', async () => {
      // The outbox is every organisation's: read it as the server's administrator, below row-level security.
      const owner = new pg.Client({ connectionString: hub.db.adminUrl });
      await owner.connect();
      try {
        const { rows } = await owner.query<{ event_type: string; grantees: string[] }>(
          "SELECT event_type, grantees FROM outbox WHERE payload ->> 'jointIncidentId' = $1 ORDER BY seq",
          [jointId],
        );
        expect(rows.map((r) => r.event_type)).toEqual([
          'joint_incident.created',
          'joint_incident.participant_invited',
          'joint_incident.participant_invited',
          'joint_incident.participant_accepted',
          'joint_incident.participant_accepted',
          'joint_incident.participant_invited',
          'joint_incident.participant_declined',
        ]);
        expect([...rows[4].grantees].sort()).toEqual(
          [`org:${hub.orgId('national-csirt')}`, `org:${hub.orgId('gridpower')}`, `org:${hub.orgId('northbank')}`].sort(),
        );
      } finally {
        await owner.end();
      }
    });

    it('tightens the marking to RED at once: only the named contacts users read, a stale version is refused', async () => {
      const current = (await coordinator().get(`/joint-incidents/${jointId}`).expect(200)).body;
      await coordinator().patch(`/joint-incidents/${jointId}`, { marking: 'RED', version: current.version + 1 }).expect(409);
      await coordinator().patch(`/joint-incidents/${jointId}`, { marking: 'RED', version: current.version, reason: 'a victim is named' }).expect(200);
      await as('northbank', 'handler').get(`/joint-incidents/${jointId}`).expect(404);
      await as('northbank', 'viewer').get(`/joint-incidents/${jointId}`).expect(200);
      await as('gridpower', 'admin').get(`/joint-incidents/${jointId}`).expect(404);
      expect((await as('northbank', 'handler').get('/joint-incidents').expect(200)).body.items).toEqual([]);
      const explained = await coordinator().get(`/joint-incidents/${jointId}/access`).expect(200);
      expect(explained.body.grants).toEqual([{ grantee: `user:${hub.userId('northbank', 'viewer')}`, via: `joint:${jointId}` }]);
      const back = (await coordinator().get(`/joint-incidents/${jointId}`).expect(200)).body;
      await coordinator().patch(`/joint-incidents/${jointId}`, { marking: 'AMBER', version: back.version }).expect(200);
      await as('gridpower', 'admin').get(`/joint-incidents/${jointId}`).expect(200);
    });

    it('keeps the log in the coordinator chain, participants answers included, and verifies it', async () => {
      const log = await coordinator().get(`/joint-incidents/${jointId}/log`).expect(200);
      const actions = log.body.items.map((e: { action: string }) => e.action);
      expect(actions.slice(0, 5)).toEqual([
        'joint_incident.created',
        'joint_incident.participant_invited',
        'joint_incident.participant_invited',
        'joint_incident.participant_accepted',
        'joint_incident.participant_accepted',
      ]);
      expect(log.body.items[3]).toMatchObject({ actorOrgId: hub.orgId('northbank') });
      expect((await coordinator().get(`/joint-incidents/${jointId}/log/verify`).expect(200)).body).toMatchObject({ valid: true, entries: actions.length });
      // The log names every participant: it is the coordinator's alone.
      await as('northbank', 'admin').get(`/joint-incidents/${jointId}/log`).expect(404);
      await as('northbank', 'admin').get(`/joint-incidents/${jointId}/log/verify`).expect(404);
      const checkpoint = await coordinator().post(`/joint-incidents/${jointId}/log/checkpoints`).expect(201);
      const listed = await as('northbank', 'admin').get(`/joint-incidents/${jointId}/log/checkpoints`).expect(200);
      expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([checkpoint.body.id]);
    });

    it('removes a participant with a reason and withdraws its access at once', async () => {
      const path = `/joint-incidents/${jointId}/participants/${hub.orgId('northbank')}`;
      await coordinator().delete(path, {}).expect(400);
      await as('northbank', 'admin').get(`/joint-incidents/${jointId}`).expect(200);
      const removed = await coordinator().delete(path, { reason: 'no longer affected' }).expect(200);
      expect(removed.body).toMatchObject({ state: 'removed', removeReason: 'no longer affected' });
      await as('northbank', 'admin').get(`/joint-incidents/${jointId}`).expect(404);
      await as('northbank', 'viewer').get(`/joint-incidents/${jointId}/participants`).expect(404);
      expect((await as('northbank', 'admin').get('/joint-incidents').expect(200)).body.items).toEqual([]);
      await coordinator().delete(path, { reason: 'again' }).expect(409);
      // Invited again: a new participation, reading again only once it accepts.
      await invite(jointId, 'northbank', 'observer').expect(201);
      await as('northbank', 'admin').get(`/joint-incidents/${jointId}`).expect(404);
    });

    it('answers an outsider 404 on every route of the joint incident', async () => {
      const outsider = as('netwatch-isp', 'admin');
      for (const path of ['', '/participants', '/access', '/log', '/log/verify', '/log/checkpoints']) {
        await outsider.get(`/joint-incidents/${jointId}${path}`).expect(404);
      }
      await outsider.post(`/joint-incidents/${jointId}/participants/${hub.orgId('netwatch-isp')}/accept`, { pointsOfContact: [] }).expect(404);
      await outsider.post(`/joint-incidents/${jointId}/participants/${hub.orgId('netwatch-isp')}/decline`, { reason: 'x' }).expect(404);
      // A member that was never invited: the same.
      const stranger = as('st-marys-hospital', 'admin');
      for (const path of ['', '/participants', '/access', '/log', '/log/verify', '/log/checkpoints']) {
        await stranger.get(`/joint-incidents/${jointId}${path}`).expect(404);
      }
      // An unknown id and a malformed one answer alike.
      await coordinator().get('/joint-incidents/00000000-0000-4000-8000-000000000000').expect(404);
      await coordinator().get('/joint-incidents/not-an-id').expect(404);
      await coordinator().patch('/joint-incidents/00000000-0000-4000-8000-000000000000', { version: 1, title: 'x' }).expect(404);
    });
  });

  describe('the phase machine', () => {
    it('follows the incident transitions, each with a reason, closing with a closing summary', async () => {
      const joint = (await open().expect(201)).body;
      const phase = (body: object) => coordinator().post(`/joint-incidents/${joint.id}/phase`, body);
      const skipped = await phase({ phase: 'respond', reason: 'go', version: joint.version }).expect(409);
      expect(skipped.body.details[0]).toMatchObject({ field: 'phase', rule: 'allowedTransition' });
      expect((await phase({ phase: 'assess_decide', version: joint.version }).expect(400)).body.details[0].field).toBe('reason');
      let v = (await phase({ phase: 'assess_decide', reason: 'triaged', version: joint.version }).expect(200)).body.version;
      v = (await phase({ phase: 'learn_lessons', reason: 'nothing to respond to', version: v }).expect(200)).body.version;
      const unsummarised = await phase({ phase: 'closed', reason: 'done', version: v }).expect(422);
      expect(unsummarised.body.details[0]).toMatchObject({ field: 'closingSummary', rule: 'requiredToClose' });
      // Closing needs the joint report published (the lessons-learned review).
      const unreviewed = await phase({ phase: 'closed', reason: 'done', closingSummary: 'Contained across the sector', version: v }).expect(422);
      expect(unreviewed.body).toMatchObject({ code: 'JOINT_REPORT_REQUIRED_TO_CLOSE', details: [{ field: 'phase', rule: 'publishedReportToClose' }] });
      const draft = await coordinator().put(`/joint-incidents/${joint.id}/report`, { summary: 'Nothing to respond to', marking: 'AMBER' }).expect(200);
      await coordinator().post(`/joint-incidents/${joint.id}/report/publish`, { version: draft.body.version }).expect(200);
      const closed = await phase({ phase: 'closed', reason: 'done', closingSummary: 'Contained across the sector', version: v }).expect(200);
      expect(closed.body).toMatchObject({ phase: 'closed', closingSummary: 'Contained across the sector', closedAt: expect.any(String) });
      await coordinator().patch(`/joint-incidents/${joint.id}`, { title: 'later', version: closed.body.version }).expect(409);
      await invite(joint.id, 'northbank').expect(409);
      const log = await coordinator().get(`/joint-incidents/${joint.id}/log`).expect(200);
      expect(log.body.items.filter((e: { action: string }) => e.action === 'joint_incident.phase_changed').map((e: { reason: string }) => e.reason)).toEqual([
        'triaged',
        'nothing to respond to',
        'done',
      ]);
    });
  });

  describe('the register and my joint incidents', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      // Five more joint incidents; Gridpower takes part in three of them.
      for (const [i, body] of [
        { severity: 1, exercise: false },
        { severity: 2, exercise: true },
        { severity: 2, exercise: false, category: 'availability', subType: 'ddos' },
        { severity: 4, exercise: false },
        { severity: 4, exercise: true },
      ].entries()) {
        const joint = (await open({ title: `Register ${i}`, ...body }).expect(201)).body;
        ids.push(joint.id);
        if (i % 2 === 0) {
          await invite(joint.id, 'gridpower').expect(201);
          await accept(joint.id, 'gridpower', 200);
        }
      }
    });

    const pageThrough = async (slug: DemoOrgSlug, role: string, query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await as(slug, role)
          .get(`/joint-incidents?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };

    it('pages the coordinator register newest change first and filters it', async () => {
      const all = await pageThrough('national-csirt', 'viewer', '');
      expect(all.slice(0, 5)).toEqual([...ids].reverse());
      expect(new Set(all).size).toBe(all.length);
      expect(await pageThrough('national-csirt', 'viewer', '&severity=4')).toEqual([ids[4], ids[3]]);
      expect((await pageThrough('national-csirt', 'viewer', '&exercise=true')).slice(0, 2)).toEqual([ids[4], ids[1]]);
      expect(await pageThrough('national-csirt', 'viewer', '&category=availability')).toEqual([ids[2]]);
      const from = (await coordinator().get(`/joint-incidents/${ids[3]}`).expect(200)).body.updatedAt;
      expect(await pageThrough('national-csirt', 'viewer', `&updatedFrom=${encodeURIComponent(from)}`)).toEqual([ids[4], ids[3]]);
      await coordinator().get('/joint-incidents?severity=9').expect(400);
      await coordinator().get('/joint-incidents?exercise=maybe').expect(400);
      await coordinator().get('/joint-incidents?cursor=bogus!').expect(400);
    });

    it("pages a participant's joint incidents, only those it accepted, with the same filters", async () => {
      const mine = await pageThrough('gridpower', 'viewer', '');
      expect(mine.slice(0, 3)).toEqual([ids[4], ids[2], ids[0]]);
      expect(mine).not.toContain(ids[1]);
      expect(await pageThrough('gridpower', 'viewer', '&severity=4')).toEqual([ids[4]]);
      expect(await pageThrough('gridpower', 'viewer', '&exercise=true')).toEqual([ids[4]]);
      expect(await pageThrough('gridpower', 'viewer', '&category=availability')).toEqual([ids[2]]);
      // A change moves it to the front of every list that shows it.
      const j = (await coordinator().get(`/joint-incidents/${ids[0]}`).expect(200)).body;
      await coordinator().patch(`/joint-incidents/${ids[0]}`, { severity: 3, version: j.version }).expect(200);
      expect((await pageThrough('gridpower', 'viewer', ''))[0]).toBe(ids[0]);
      expect((await as('st-marys-hospital', 'viewer').get('/joint-incidents').expect(200)).body.items).toEqual([]);
    });
  });

  // Last: it supersedes the agreement every other case relies on.
  describe('an agreement no longer in force', () => {
    it('refuses new invitations and pending acceptances until the new version is accepted', async () => {
      const joint = (await open({ title: 'After the new terms' }).expect(201)).body;
      await invite(joint.id, 'gridpower').expect(201);
      await coordinator()
        .post(`/agreements/${agreementId}/versions`, {
          supersedes: 1,
          text: 'We coordinate, under new terms.',
          parties: [hub.orgId('northbank'), hub.orgId('gridpower'), hub.orgId('st-marys-hospital')],
          defaultMarking: 'AMBER',
          validFrom: new Date(Date.now() - 1000).toISOString(),
        })
        .expect(201);
      const invited = await invite(joint.id, 'northbank').expect(422);
      expect(invited.body).toMatchObject({ code: 'AGREEMENT_REQUIRED' });
      expect(invited.body.details[0].field).toBe('organisationId');
      const accepted = await accept(joint.id, 'gridpower', 422);
      expect(accepted.body).toMatchObject({ code: 'AGREEMENT_REQUIRED' });
      await as('gridpower', 'admin').get(`/joint-incidents/${joint.id}`).expect(404);
      await acceptAgreement('gridpower', 2);
      await accept(joint.id, 'gridpower', 200);
      await as('gridpower', 'admin').get(`/joint-incidents/${joint.id}`).expect(200);
    });
  });
});

describe('the joint register stays index-backed on a large table', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.close());

  it('plans the first page of the register and of my joint incidents without a sequential scan', async () => {
    const admin = new pg.Client({ connectionString: hub.db.adminUrl });
    await admin.connect();
    const coordinatorOrg = hub.orgId('national-csirt');
    // 50,000 joint incidents of the coordinator; Gridpower reads every tenth through an access row.
    await admin.query(
      `INSERT INTO joint_incidents (org_id, title, category, sub_type, severity, marking, phase, exercise, updated_at)
       SELECT $1, 'Joint ' || g, 'fraud', 'phishing', 1 + g % 4, 'AMBER', (ARRAY['detect_report','assess_decide','respond'])[1 + g % 3],
              g % 7 = 0, now() - make_interval(secs => g)
         FROM generate_series(1, 50000) g`,
      [coordinatorOrg],
    );
    await admin.query(
      `INSERT INTO access (owner_org_id, object_type, object_id, container_type, container_id, grantee, via, sort_at)
       SELECT j.org_id, 'joint_incident', j.id, 'joint_incident', j.id, 'org:' || $1, 'joint:' || j.id, j.updated_at
         FROM joint_incidents j WHERE j.title ~ '0$'`,
      [hub.orgId('gridpower')],
    );
    await admin.query('ANALYZE joint_incidents; ANALYZE access');
    await admin.end();

    const { jointRegisterPageSql, myJointIncidentsPageSql } = await import('#joint-incidents');
    const app = await hub.appClient();
    const explain = async (slug: DemoOrgSlug, kind: string, reads: string, sql: string, params: unknown[]) => {
      await app.query('BEGIN');
      await app.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.reads', $3, true), set_config('enable_sort', 'off', true)",
        [hub.orgId(slug), kind, reads],
      );
      const plan = await app.query(`EXPLAIN ${sql}`, params);
      await app.query('ROLLBACK');
      return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const principal = (slug: DemoOrgSlug, orgKind: 'member' | 'coordinator') =>
      ({ kind: 'api_key' as const, id: '00000000-0000-4000-8000-000000000001', orgId: hub.orgId(slug), orgKind, roles: ['viewer' as const] });
    for (const filter of [{}, { phase: 'respond' as const }, { severity: 2 }, { exercise: true }, { category: 'fraud' }]) {
      const query = { limit: 50, ...filter };
      const register = jointRegisterPageSql(principal('national-csirt', 'coordinator'), query);
      const registerPlan = await explain('national-csirt', 'coordinator', 'own', register.sql, register.params);
      expect(registerPlan).not.toMatch(/Seq Scan/);
      expect(registerPlan).toMatch(/joint_incidents_register_idx/);
      const mine = myJointIncidentsPageSql(principal('gridpower', 'member'), query);
      const minePlan = await explain('gridpower', 'member', 'shared', mine.sql, mine.params);
      expect(minePlan).not.toMatch(/Seq Scan/);
      expect(minePlan).toMatch(/access_feed_idx/);
    }
  }, 120_000);
});

/**
 * The joint-incident schema below the API: row-level security, the derived grants of hub_sync_joint_access,
 * the participant's answer as the one cross-tenant write, and pseudonyms masked in the shared views.
 */
describe('joint incidents: the schema below the API', () => {
  let hub: TestHub;
  let client: pg.Client;

  beforeAll(async () => {
    hub = await startTestHub();
    client = await hub.appClient();
    // Northbank and GridPower accept an agreement with the coordinator (St Mary's only ever declines).
    const coordinator = bearer(hub.token('national-csirt', 'coordinator'));
    const agreement = await hub
      .http()
      .post('/api/v1/agreements')
      .set(coordinator)
      .send({ title: 'Schema', text: 'We coordinate.', parties: [hub.orgId('northbank'), hub.orgId('gridpower')], defaultMarking: 'AMBER', validFrom: new Date(Date.now() - 60_000).toISOString() })
      .expect(201);
    for (const slug of ['northbank', 'gridpower'] as const) {
      const admin = bearer(hub.token(slug, 'admin'));
      const contacts = (await hub.http().get(`/api/v1/organisations/${hub.orgId(slug)}/points-of-contact`).set(admin).expect(200)).body.items as { id: string }[];
      await hub
        .http()
        .post(`/api/v1/agreements/${agreement.body.id}/acceptances`)
        .set(admin)
        .send({ version: 1, pointsOfContact: contacts.slice(0, 2).map((c) => ({ duty: 'point of contact', pointOfContactId: c.id })) })
        .expect(201);
    }
  });
  afterAll(async () => hub?.close());

  type Sql = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;
  /** One committed transaction as a user of `slug`, as TenantDatabase.run sets it. */
  async function as<T>(slug: DemoOrgSlug, role: string, work: (sql: Sql) => Promise<T>, reads: 'own' | 'shared' = 'own'): Promise<T> {
    await client.query('BEGIN');
    try {
      await client.query(
        "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true), set_config('hub.reads', $4, true)",
        [hub.orgId(slug), slug === 'national-csirt' ? 'coordinator' : slug === 'netwatch-isp' ? 'partner' : 'member', hub.userId(slug, role), reads],
      );
      const result = await work(async (sql, params = []) => (await client.query(sql, params)).rows);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  const shared = <T>(slug: DemoOrgSlug, work: (sql: Sql) => Promise<T>) => as(slug, 'viewer', work, 'shared');
  /** Every grantee of an object, read as the owner role (whose lookup policy reads the whole access table). */
  const grantees = async (id: string) => {
    const owner = new pg.Client({ connectionString: hub.db.ownerUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ grantee: string }>('SELECT grantee FROM access WHERE object_id = $1 ORDER BY grantee', [id]);
      return rows.map((r) => r.grantee);
    } finally {
      await owner.end();
    }
  };

  let jointId: string;

  it('lets the coordinator open a joint incident and invite participants, one pseudonymous', async () => {
    jointId = await as('national-csirt', 'coordinator', async (sql) => {
      const [j] = await sql<{ id: string }>(
        `INSERT INTO joint_incidents (org_id, title, category, sub_type, severity, marking, created_by)
         VALUES (hub_current_org(), 'Phishing wave', 'fraud', 'phishing', 3, 'AMBER', hub_current_user_id()) RETURNING id`,
      );
      await sql(
        `INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role, pseudonym, invited_by)
         VALUES (hub_current_org(), $1, $2, 'lead', NULL, hub_current_user_id()),
                (hub_current_org(), $1, $3, 'affected', 'Participant C', hub_current_user_id()),
                (hub_current_org(), $1, $4, 'observer', NULL, hub_current_user_id())`,
        [j.id, hub.orgId('northbank'), hub.orgId('gridpower'), hub.orgId('st-marys-hospital')],
      );
      await sql('SELECT hub_sync_joint_access($1)', [j.id]);
      return j.id;
    });
    expect(await grantees(jointId)).toEqual([]);
    // An invitee reads its invitation, nothing else.
    await as('northbank', 'admin', async (sql) => {
      expect(await sql('SELECT id FROM joint_incidents WHERE id = $1', [jointId])).toEqual([]);
      expect(await sql('SELECT state FROM joint_participants WHERE joint_incident_id = $1', [jointId])).toEqual([{ state: 'invited' }]);
    });
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
  });

  it('takes a participant answer through the definer function only, and grants the accepted participants', async () => {
    await expect(
      as('northbank', 'admin', (sql) => sql("UPDATE joint_participants SET state = 'accepted', answered_at = now() WHERE joint_incident_id = $1", [jointId])),
    ).resolves.toEqual([]); // no row: the update policy is the owner's
    // Another organisation's contacts are refused.
    await expect(
      as('northbank', 'admin', async (sql) => {
        const [other] = await sql<{ id: string }>('SELECT id FROM points_of_contact WHERE org_id = $1 LIMIT 1', [hub.orgId('gridpower')]);
        return sql('SELECT hub_answer_joint_invitation($1, true, $2, NULL)', [jointId, [other.id]]);
      }),
    ).rejects.toThrow(/own directory/);
    // Without an agreement in force the database refuses an acceptance too (St Mary's has none).
    await expect(
      as('st-marys-hospital', 'admin', (sql) => sql('SELECT hub_answer_joint_invitation($1, true, $2, NULL)', [jointId, []])),
    ).rejects.toThrow(/agreement/);
    for (const slug of ['northbank', 'gridpower'] as const) {
      await as(slug, 'admin', async (sql) => {
        const contacts = await sql<{ id: string }>('SELECT id FROM points_of_contact WHERE org_id = hub_current_org() ORDER BY name');
        await sql('SELECT hub_answer_joint_invitation($1, true, $2, NULL)', [jointId, contacts.map((c) => c.id)]);
        await sql('SELECT hub_sync_joint_access($1)', [jointId]);
      });
    }
    await as('st-marys-hospital', 'handler', async (sql) => {
      await sql("SELECT hub_answer_joint_invitation($1, false, NULL, 'not affected')", [jointId]);
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    expect(await grantees(jointId)).toEqual([`org:${hub.orgId('gridpower')}`, `org:${hub.orgId('northbank')}`].sort());
    expect(await shared('northbank', (sql) => sql('SELECT id, author_label FROM shared_joint_incidents'))).toEqual([
      { id: jointId, author_label: 'National CSIRT' },
    ]);
    expect(await shared('st-marys-hospital', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
    // An outsider cannot recompute another's joint incident.
    await expect(as('netwatch-isp', 'admin', (sql) => sql('SELECT hub_sync_joint_access($1)', [jointId]))).rejects.toThrow(/not found/);
  });

  it('masks a pseudonymous author for the other participants, never for the coordinator', async () => {
    const updateId = await as('gridpower', 'handler', async (sql) => {
      const [u] = await sql<{ id: string }>(
        `INSERT INTO joint_updates (org_id, joint_incident_id, kind, title, body, marking, audience, created_by)
         VALUES (hub_current_org(), $1, 'update', 'Seen here too', 'same sender', 'AMBER', 'all', hub_current_user_id()) RETURNING id`,
        [jointId],
      );
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
      return u.id;
    });
    expect(await grantees(updateId)).toEqual([`org:${hub.orgId('national-csirt')}`, `org:${hub.orgId('northbank')}`].sort());
    const seen = await shared('northbank', (sql) => sql('SELECT * FROM shared_joint_updates'));
    const participants = await shared('northbank', (sql) => sql('SELECT * FROM shared_joint_participants ORDER BY role'));
    const [pseudonymous] = await as('national-csirt', 'coordinator', (sql) =>
      sql<{ id: string }>('SELECT id FROM joint_participants WHERE joint_incident_id = $1 AND pseudonym IS NOT NULL', [jointId]),
    );
    expect(seen).toEqual([expect.objectContaining({ id: updateId, org_id: pseudonymous.id, author_label: 'Participant C', created_by: null })]);
    expect(participants).toEqual([
      expect.objectContaining({ id: pseudonymous.id, participant_org_id: null, org_name: null, pseudonym: 'Participant C', role: 'affected' }),
      expect.objectContaining({ participant_org_id: hub.orgId('northbank'), org_name: 'Northbank', role: 'lead' }),
    ]);
    for (const leak of [hub.orgId('gridpower'), 'GridPower']) expect(JSON.stringify([seen, participants])).not.toContain(leak);
    expect(await shared('national-csirt', (sql) => sql('SELECT org_id, author_label FROM shared_joint_updates'))).toEqual([
      { org_id: hub.orgId('gridpower'), author_label: 'GridPower Energy' },
    ]);
  });

  it('turns a RED joint incident into grants of the named contacts users, and removal withdraws at once', async () => {
    // Northbank names its viewer as one of its points of contact; GridPower's contacts name no user.
    await as('northbank', 'admin', (sql) =>
      sql("UPDATE points_of_contact SET user_id = $1 WHERE org_id = hub_current_org() AND role_title = 'Duty officer'", [hub.userId('northbank', 'viewer')]),
    );
    await as('national-csirt', 'coordinator', async (sql) => {
      await sql("UPDATE joint_incidents SET marking = 'RED', updated_at = now() WHERE id = $1", [jointId]);
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    expect(await grantees(jointId)).toEqual([`user:${hub.userId('northbank', 'viewer')}`]);
    expect(await as('northbank', 'handler', (sql) => sql('SELECT id FROM shared_joint_incidents'), 'shared')).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([{ id: jointId }]);

    await as('national-csirt', 'coordinator', async (sql) => {
      await sql(
        `UPDATE joint_participants SET state = 'removed', removed_at = now(), removed_by = hub_current_user_id(), remove_reason = 'left'
          WHERE joint_incident_id = $1 AND participant_org_id = $2 AND state = 'accepted'`,
        [jointId, hub.orgId('northbank')],
      );
      await sql('SELECT hub_sync_joint_access($1)', [jointId]);
    });
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_incidents'))).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_updates'))).toEqual([]);
    expect(await shared('northbank', (sql) => sql('SELECT id FROM shared_joint_participants'))).toEqual([]);
  });

  it('keeps the outbox grantee keys and the registry rows', async () => {
    const rows = await as('national-csirt', 'viewer', (sql) =>
      sql("SELECT type FROM shareable_types WHERE container_type = 'joint_incident' ORDER BY type"),
    );
    expect(rows.map((r) => r.type)).toEqual([
      'improvement_action', 'joint_contribution', 'joint_decision', 'joint_incident', 'joint_observable', 'joint_report', 'joint_task', 'joint_update',
    ]);
    const [event] = await as('national-csirt', 'coordinator', (sql) =>
      sql(
        "INSERT INTO outbox (org_id, event_type, aggregate_type, aggregate_id, grantees) VALUES (hub_current_org(), 'x', 'joint_incident', $1, $2) RETURNING grantees",
        [jointId, ['org:' + hub.orgId('gridpower')]],
      ),
    );
    expect(event).toEqual({ grantees: ['org:' + hub.orgId('gridpower')] });
  });
});

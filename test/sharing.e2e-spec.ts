import { granteeKeys } from '#sharing';
import { bearer, startTestHub, type TestHub } from './support/test-hub.js';

const incidentBody = {
  title: 'Credential phishing against treasury staff',
  summary: 'Lookalike domain harvesting logins',
  category: 'fraud',
  subType: 'phishing',
  severity: 3,
  marking: 'AMBER',
  impact: 'Two accounts reset',
  internalNotes: 'CFO clicked twice',
  reporter: { name: 'Ann Example', contact: 'ann@northbank.demo' },
  affectedAssets: 'mail gateway mx-2',
};

describe('the sharing policy over HTTP', () => {
  let hub: TestHub;
  let owner: string;
  beforeAll(async () => {
    hub = await startTestHub();
    owner = hub.token('northbank', 'handler');
  });
  afterAll(async () => {
    await hub.close();
  });

  const get = (path: string, token: string) => hub.http().get(path).set(bearer(token));
  async function createIncident(body: Record<string, unknown> = {}) {
    return (await hub.http().post('/api/v1/incidents').set(bearer(owner)).send({ ...incidentBody, ...body }).expect(201)).body;
  }
  async function addObservable(incidentId: string, value: string, marking: string) {
    return (await hub.http().post(`/api/v1/incidents/${incidentId}/observables`).set(bearer(owner)).send({ type: 'domain', value, marking }).expect(201)).body;
  }
  const release = (incidentId: string, body: Record<string, unknown>, token = owner) =>
    hub.http().post(`/api/v1/incidents/${incidentId}/releases`).set(bearer(token)).send(body);

  it('releases AMBER to the coordinator: the inbox lists it, the projection leaves out internal-only fields, a RED observable stays out', async () => {
    const incident = await createIncident();
    const amber = await addObservable(incident.id, 'northbank-login.example', 'AMBER');
    const red = await addObservable(incident.id, 'internal-c2.example', 'RED');
    const refused = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }], observables: [amber.id, red.id] });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('RELEASE_NOT_ALLOWED_BY_MARKING');
    expect(refused.body.details[0]).toMatchObject({ field: 'observables[1]', message: expect.stringContaining('RED may be released only to named users') });

    const granted = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }], observables: [amber.id] }).expect(201);
    expect(granted.body.items).toHaveLength(2);

    const coordinator = hub.token('national-csirt', 'coordinator');
    const inbox = await get('/api/v1/shared/incidents', coordinator).expect(200);
    expect(inbox.body.items.map((i: { id: string }) => i.id)).toContain(incident.id);
    const shared = await get(`/api/v1/shared/incidents/${incident.id}`, coordinator).expect(200);
    expect(shared.body).toMatchObject({ id: incident.id, orgId: hub.orgId('northbank'), title: incidentBody.title, marking: 'AMBER' });
    for (const field of ['internalNotes', 'reporter', 'affectedAssets', 'report', 'clockProfiles', 'logLength', 'sourceEventReportId']) {
      expect(shared.body).not.toHaveProperty(field);
    }
    expect(shared.body.observables.map((o: { id: string }) => o.id)).toEqual([amber.id]);
    // Named as a recipient, the coordination team may ask who else reads it.
    const explained = await get(`/api/v1/incidents/${incident.id}/access`, coordinator).expect(200);
    expect(explained.body.readers).toEqual([expect.objectContaining({ grantee: `org:${hub.orgId('national-csirt')}` })]);

    // Another member, and the partner, see nothing; the owner's register paths stay the owner's.
    for (const token of [hub.token('gridpower', 'admin'), hub.token('netwatch-isp', 'viewer')]) {
      await get(`/api/v1/shared/incidents/${incident.id}`, token).expect(404);
      expect((await get('/api/v1/shared/incidents', token).expect(200)).body.items).toEqual([]);
    }
    await get(`/api/v1/incidents/${incident.id}`, coordinator).expect(404);
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(coordinator)).send({ version: 1, title: 'taken over' }).expect(404);
    await get(`/api/v1/incidents/${incident.id}/log`, coordinator).expect(404);
  });

  it('refuses releases the marking does not allow, naming the rule, and writes nothing', async () => {
    const red = await createIncident({ marking: 'RED' });
    const toOrg = await release(red.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }] }).expect(422);
    expect(toOrg.body.message).toContain('RED may be released only to named users');
    const strict = await createIncident({ marking: 'AMBER+STRICT' });
    const toCommunity = await release(strict.id, { recipients: [{ kind: 'community' }] }).expect(422);
    expect(toCommunity.body.details[0]).toMatchObject({ field: 'recipients[0]', rule: 'markingAMBER+STRICT' });
    const green = await createIncident({ marking: 'GREEN' });
    const toPublic = await release(green.id, { recipients: [{ kind: 'community' }, { kind: 'public' }] }).expect(422);
    expect(toPublic.body.details).toEqual([expect.objectContaining({ field: 'recipients[1]', message: expect.stringContaining('not to the public') })]);
    for (const id of [red.id, strict.id, green.id]) {
      expect((await get(`/api/v1/incidents/${id}/releases`, owner).expect(200)).body.items).toEqual([]);
    }
    await release(green.id, { recipients: [{ kind: 'organisation', id: hub.orgId('northbank') }] }).expect(422);
    await release(green.id, { recipients: [{ kind: 'organisation', id: '00000000-0000-4000-8000-000000000000' }] }).expect(422);
    await release(green.id, { recipients: [{ kind: 'community', id: hub.orgId('gridpower') }] }).expect(400);
    await release(green.id, { recipients: [{ kind: 'organisation' }] }).expect(400);
    await release(green.id, { recipients: [{ kind: 'community' }] }, hub.token('northbank', 'viewer')).expect(403);
  });

  it('RED reaches only the named user, not the rest of that organisation', async () => {
    const incident = await createIncident({ marking: 'RED' });
    await release(incident.id, { recipients: [{ kind: 'user', id: hub.userId('gridpower', 'handler') }] }).expect(201);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('gridpower', 'handler')).expect(200);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('gridpower', 'viewer')).expect(404);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('gridpower', 'admin')).expect(404);
  });

  it('GREEN to the community reaches members and the coordinator, not partners; the explanation says why', async () => {
    const incident = await createIncident({ marking: 'GREEN' });
    await release(incident.id, { recipients: [{ kind: 'community' }] }).expect(201);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('st-marys-hospital', 'viewer')).expect(200);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('national-csirt', 'viewer')).expect(200);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('netwatch-isp', 'admin')).expect(404);
    // The owner does not find its own incident among what others shared with it.
    expect((await get('/api/v1/shared/incidents', owner).expect(200)).body.items.map((i: { id: string }) => i.id)).not.toContain(incident.id);

    const partner = await get(`/api/v1/incidents/${incident.id}/access?organisation=${hub.orgId('netwatch-isp')}`, owner).expect(200);
    expect(partner.body.organisation).toMatchObject({ canRead: 'no', because: [expect.stringContaining('partner')] });
    const member = await get(`/api/v1/incidents/${incident.id}/access?organisation=${hub.orgId('gridpower')}`, owner).expect(200);
    expect(member.body.organisation).toMatchObject({ canRead: 'all users', because: [expect.stringContaining('GREEN: the community')] });
    expect(member.body.readers).toEqual([expect.objectContaining({ grantee: 'community', recipient: { kind: 'community' } })]);
    // A member recipient may not ask who else reads it.
    await get(`/api/v1/incidents/${incident.id}/access`, hub.token('gridpower', 'admin')).expect(404);
  });

  it('revoking withdraws access at once, with the observables released with it, and logs it', async () => {
    const incident = await createIncident();
    const observable = await addObservable(incident.id, 'revoked.example', 'AMBER');
    const granted = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }], observables: [observable.id] }).expect(201);
    const reader = hub.token('gridpower', 'viewer');
    expect((await get(`/api/v1/shared/incidents/${incident.id}`, reader).expect(200)).body.observables).toHaveLength(1);
    const parent = granted.body.items.find((r: { objectType: string }) => r.objectType === 'incident');
    const revoked = await hub.http().delete(`/api/v1/incidents/${incident.id}/releases/${parent.id}?reason=no%20longer%20needed`).set(bearer(owner)).expect(200);
    expect(revoked.body.items).toHaveLength(2);
    await get(`/api/v1/shared/incidents/${incident.id}`, reader).expect(404);
    await hub.http().delete(`/api/v1/incidents/${incident.id}/releases/${parent.id}`).set(bearer(owner)).expect(409);
    const log = await get(`/api/v1/incidents/${incident.id}/log`, owner).expect(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['release.granted', 'release.revoked']));
    const again = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }] }).expect(201);
    expect(again.body.items).toHaveLength(1);
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }] }).expect(409);
  });

  it('adds an observable found later to a recipient that already has the incident', async () => {
    const incident = await createIncident();
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }] }).expect(201);
    const later = await addObservable(incident.id, 'found-later.example', 'AMBER');
    const added = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }], observables: [later.id] }).expect(201);
    expect(added.body.items).toEqual([expect.objectContaining({ objectType: 'observable', objectId: later.id })]);
    const shared = await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('national-csirt', 'viewer')).expect(200);
    expect(shared.body.observables.map((o: { id: string }) => o.id)).toEqual([later.id]);
    // Different terms for the same recipient still need the first release revoked.
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }], observables: [later.id] }).expect(409);
    const other = await addObservable(incident.id, 'other.example', 'AMBER');
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }], observables: [other.id], fields: ['reporter'] }).expect(409);
  });

  it('tightening withdraws what the new marking no longer allows, on the incident and on an observable', async () => {
    const incident = await createIncident({ marking: 'GREEN' });
    const observable = await addObservable(incident.id, 'tighten.example', 'GREEN');
    await release(incident.id, { recipients: [{ kind: 'community' }, { kind: 'user', id: hub.userId('gridpower', 'viewer') }], observables: [observable.id] }).expect(201);
    const member = hub.token('st-marys-hospital', 'viewer');
    expect((await get(`/api/v1/shared/incidents/${incident.id}`, member).expect(200)).body.observables).toHaveLength(1);

    const patched = await hub.http().patch(`/api/v1/incidents/${incident.id}/observables/${observable.id}`).set(bearer(owner)).send({ version: 1, marking: 'AMBER' }).expect(200);
    expect(patched.body.marking).toBe('AMBER');
    expect((await get(`/api/v1/shared/incidents/${incident.id}`, member).expect(200)).body.observables).toEqual([]);

    const current = (await get(`/api/v1/incidents/${incident.id}`, owner).expect(200)).body;
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(owner)).send({ version: current.version, marking: 'RED', reason: 'attribution sensitive' }).expect(200);
    await get(`/api/v1/shared/incidents/${incident.id}`, member).expect(404);
    // The named user's release survives RED; the community's did not.
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('gridpower', 'viewer')).expect(200);
    const releases = (await get(`/api/v1/incidents/${incident.id}/releases`, owner).expect(200)).body.items;
    const live = releases.filter((r: { status: string }) => r.status === 'live');
    expect(live.map((r: { objectType: string; recipient: { kind: string } }) => `${r.objectType}:${r.recipient.kind}`).sort()).toEqual(['incident:user', 'observable:user']);
    const withdrawn = (await get(`/api/v1/incidents/${incident.id}/log`, owner).expect(200)).body.items.filter((e: { action: string }) => e.action === 'release.withdrawn');
    expect(withdrawn.length).toBeGreaterThanOrEqual(2);
  });

  it('releases internal-only fields only when named, and a redacted copy when asked', async () => {
    const incident = await createIncident();
    await release(incident.id, {
      recipients: [{ kind: 'organisation', id: hub.orgId('national-csirt') }],
      fields: ['reporter', 'affectedAssets'],
      redact: { reporter: 'pseudonymise', title: 'blank' },
    }).expect(201);
    const shared = (await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('national-csirt', 'viewer')).expect(200)).body;
    expect(shared.title).toBe('');
    expect(shared.affectedAssets).toBe(incidentBody.affectedAssets);
    expect(shared.reporter.name).toMatch(/^pseudonym-[0-9a-f]{16}$/);
    expect(JSON.stringify(shared)).not.toContain('Ann Example');
    expect(shared).not.toHaveProperty('internalNotes');
    expect(shared.redactions).toEqual({ title: 'blank', reporter: 'pseudonymise' });
    const listed = (await get('/api/v1/shared/incidents', hub.token('national-csirt', 'viewer')).expect(200)).body.items.find((i: { id: string }) => i.id === incident.id);
    expect(listed.title).toBe('');
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }], redact: { internalNotes: 'blank' } }).expect(400);
  });

  it('does not let a text search find words the release redacted', async () => {
    const incident = await createIncident({ title: 'Qakbot loader at the branch office', summary: 'zebracorn campaign' });
    await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('st-marys-hospital') }], redact: { title: 'pseudonymise' } }).expect(201);
    const reader = hub.token('st-marys-hospital', 'viewer');
    const search = async (q: string) => (await get(`/api/v1/shared/incidents?q=${q}`, reader).expect(200)).body.items.map((i: { id: string }) => i.id);
    expect(await search('qakbot')).toEqual([]);
    expect(await search('zebracorn')).toEqual([]);
    expect((await get('/api/v1/shared/incidents', reader).expect(200)).body.items.map((i: { id: string }) => i.id)).toContain(incident.id);
    const plain = await createIncident({ title: 'Emotet loader', summary: 'unicornfish campaign' });
    await release(plain.id, { recipients: [{ kind: 'organisation', id: hub.orgId('st-marys-hospital') }] }).expect(201);
    expect(await search('unicornfish')).toEqual([plain.id]);
  });

  it('opens the recipient list to a coordinator only when it was named, not as one of the community', async () => {
    const incident = await createIncident({ marking: 'GREEN' });
    await release(incident.id, { recipients: [{ kind: 'community' }, { kind: 'user', id: hub.userId('gridpower', 'viewer') }] }).expect(201);
    const coordinator = hub.token('national-csirt', 'coordinator');
    await get(`/api/v1/shared/incidents/${incident.id}`, coordinator).expect(200);
    await get(`/api/v1/incidents/${incident.id}/access`, coordinator).expect(404);
  });

  it('still lets the owner tighten a closed incident, and refuses null for a required field', async () => {
    const incident = await createIncident({ marking: 'GREEN' });
    await release(incident.id, { recipients: [{ kind: 'community' }] }).expect(201);
    let version = incident.version;
    for (const phase of ['assess_decide', 'learn_lessons']) {
      version = (await hub.http().post(`/api/v1/incidents/${incident.id}/phase`).set(bearer(owner)).send({ phase, reason: phase, version }).expect(200)).body.version;
    }
    version = (await hub.http().put(`/api/v1/incidents/${incident.id}/report`).set(bearer(owner)).send({ summary: 's', lessonsLearned: 'l', version }).expect(200)).body.version;
    version = (await hub.http().post(`/api/v1/incidents/${incident.id}/phase`).set(bearer(owner)).send({ phase: 'closed', reason: 'done', version }).expect(200)).body.version;
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(owner)).send({ version, marking: 'CLEAR' }).expect(409);
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(owner)).send({ version, marking: 'AMBER', title: 'x' }).expect(409);
    await hub.http().patch(`/api/v1/incidents/${incident.id}`).set(bearer(owner)).send({ version, marking: 'AMBER' }).expect(200);
    await get(`/api/v1/shared/incidents/${incident.id}`, hub.token('gridpower', 'viewer')).expect(404);
    const open = await createIncident();
    const nulled = await hub.http().patch(`/api/v1/incidents/${open.id}`).set(bearer(owner)).send({ version: 1, marking: null }).expect(400);
    expect(nulled.body.details[0]).toMatchObject({ field: 'marking', rule: 'notNull' });
  });

  it('answers a forged cursor with a 400 on every new list', async () => {
    const incident = await createIncident();
    const forged = Buffer.from(JSON.stringify(['foo 1', '00000000-0000-4000-8000-000000000001'])).toString('base64url');
    for (const path of [`/api/v1/incidents/${incident.id}/releases`, '/api/v1/shared/incidents', '/api/v1/incidents', '/api/v1/event-reports']) {
      const res = await get(`${path}?cursor=${forged}`, owner).expect(400);
      expect(res.body.details[0]).toMatchObject({ field: 'cursor' });
    }
  });

  it('pages a shared view in the register order, filtered, without losing or repeating an incident', async () => {
    const reader = hub.token('st-marys-hospital', 'admin');
    const made: { id: string; severity: number }[] = [];
    for (let n = 0; n < 9; n += 1) {
      const severity = n % 3 === 0 ? 4 : 2;
      const incident = await createIncident({ title: `paging ${n}`, severity });
      await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('st-marys-hospital') }] }).expect(201);
      made.push({ id: incident.id, severity });
    }
    // Touch one so its place in the order changes after release.
    const touched = (await get(`/api/v1/incidents/${made[0].id}`, owner).expect(200)).body;
    await hub.http().patch(`/api/v1/incidents/${made[0].id}`).set(bearer(owner)).send({ version: touched.version, summary: 'updated last' }).expect(200);
    const all = async (filter: string) => {
      const ids: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(
          `/api/v1/shared/incidents?limit=2&organisation=${hub.orgId('northbank')}${filter}${cursor ? `&cursor=${cursor}` : ''}`, reader).expect(200);
        ids.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
      }
      expect(new Set(ids).size).toBe(ids.length);
      // Earlier tests of this suite shared other incidents with the same organisation.
      return ids.filter((id) => made.some((m) => m.id === id));
    };
    const everything = await all('');
    expect(everything.slice(0, 1)).toEqual([made[0].id]);
    expect([...everything].sort()).toEqual(made.map((m) => m.id).sort());
    const severe = await all('&severity=4');
    expect([...severe].sort()).toEqual(made.filter((m) => m.severity === 4).map((m) => m.id).sort());
    expect(severe).toEqual(everything.filter((id) => severe.includes(id)));
  });

  describe('below the API, as the application role', () => {
    type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
    /** A transaction as the application role with the context the shared views set (`reads` = shared), or the owner paths' own. */
    async function asTenant<T>(slug: 'northbank' | 'gridpower' | 'national-csirt' | 'netwatch-isp', kind: string, userId: string | null, work: (q: Query) => Promise<T>, reads = 'shared') {
      const client = await hub.appClient();
      await client.query('BEGIN');
      try {
        await client.query(
          "SELECT set_config('hub.org_id', $1, true), set_config('hub.org_kind', $2, true), set_config('hub.user_id', $3, true), set_config('hub.reads', $4, true)",
          [hub.orgId(slug), kind, userId ?? '', reads],
        );
        return await work(async (sql, params = []) => (await client.query(sql, params)).rows);
      } finally {
        await client.query('ROLLBACK');
      }
    }

    it('derives the same grantee keys in SQL as the policy does in TypeScript', async () => {
      const cases = [
        { slug: 'northbank', kind: 'member', userId: hub.userId('northbank', 'viewer') },
        { slug: 'national-csirt', kind: 'coordinator', userId: hub.userId('national-csirt', 'coordinator') },
        { slug: 'netwatch-isp', kind: 'partner', userId: hub.userId('netwatch-isp', 'viewer') },
        { slug: 'gridpower', kind: 'member', userId: null },
      ] as const;
      for (const c of cases) {
        const [row] = await asTenant(c.slug, c.kind, c.userId, (q) => q('SELECT hub_current_grantees() AS keys'));
        expect(row.keys).toEqual(granteeKeys({ orgId: hub.orgId(c.slug), orgKind: c.kind, userId: c.userId }));
      }
    });

    it('lets a grantee read a shared row only while an access row names it, and never write it', async () => {
      const incident = await createIncident();
      // Through the recipients' view (the base table shows a grantee nothing of another organisation's).
      const read = () => asTenant('gridpower', 'member', null, (q) => q('SELECT id, internal_notes FROM shared_incidents WHERE id = $1', [incident.id]));
      expect(await read()).toEqual([]);
      const granted = await release(incident.id, { recipients: [{ kind: 'organisation', id: hub.orgId('gridpower') }] }).expect(201);
      expect(await read()).toEqual([{ id: incident.id, internal_notes: null }]);
      expect(await asTenant('gridpower', 'member', null, (q) => q('SELECT id FROM incidents WHERE id = $1', [incident.id]))).toEqual([]);
      // Outside a shared-read transaction (every owner path) the database shows the grantee its own rows only.
      expect(await asTenant('gridpower', 'member', null, (q) => q('SELECT id FROM shared_incidents WHERE id = $1', [incident.id]), 'own')).toEqual([]);
      const updated = await asTenant('gridpower', 'member', null, (q) => q("UPDATE incidents SET title = 'taken' WHERE id = $1 RETURNING id", [incident.id]));
      expect(updated).toEqual([]);
      await expect(asTenant('gridpower', 'member', null, (q) => q('DELETE FROM access WHERE object_id = $1 RETURNING id', [incident.id]))).resolves.toEqual([]);
      await hub.http().delete(`/api/v1/incidents/${incident.id}/releases/${granted.body.items[0].id}`).set(bearer(owner)).expect(200);
      expect(await read()).toEqual([]);
      expect(await asTenant('gridpower', 'member', null, (q) => q('SELECT * FROM releases WHERE container_id = $1', [incident.id]))).toEqual([]);
    });
  });
});

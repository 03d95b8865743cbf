import type { INestApplicationContext } from '@nestjs/common';
import { OPERATOR_CONTEXT, TenantDatabase } from '#database';
import { IncidentsService, ObservablesService } from '#incidents';
import {
  JointDecisionsService,
  JointIncidentsService,
  JointUpdatesService,
  LinkedIncidentsService,
  ParticipantsService,
  seedDemoAgreement,
  userWithRole,
} from '#joint-incidents';
import { OrganisationEntity, PointsOfContactService } from '#organisations';
import { ReleasesService } from '#sharing';

export const DEMO_JOINT_TITLE = 'Phishing wave against regional banks and hospitals';

/**
 * Coordination at once, for the demo (issue 10, section 4): an agreement the three members accepted, a joint
 * incident with them as participants (St Mary's under a pseudonym), a Northbank AMBER incident released to the
 * coordinator and passed on into it, an advisory, an update from GridPower and a decision. Every step goes
 * through the services the API calls, so the demo obeys the same rules (agreements, markings, audiences).
 */
export async function seedDemoCoordination(app: INestApplicationContext): Promise<{ jointIncidentId: string; passedIncidentId: string }> {
  const db = app.get(TenantDatabase);
  const organisations = await db.run(OPERATOR_CONTEXT, (tx) => tx.repository(OrganisationEntity).find({ where: { status: 'active' } }));
  const bySlug = (slug: string) => {
    const org = organisations.find((o) => o.slug === slug);
    if (!org) throw new Error(`the coordination demo needs the demo organisation ${slug}`);
    return org;
  };
  const csirt = bySlug('national-csirt');
  const northbank = bySlug('northbank');
  const hospital = bySlug('st-marys-hospital');
  const gridpower = bySlug('gridpower');
  const coordinator = await userWithRole(db, csirt, 'coordinator');

  await seedDemoAgreement(app);

  // Northbank's own incident, AMBER, with an observable, released to the coordination team.
  const northbankHandler = await userWithRole(db, northbank, 'handler');
  const incident = await app.get(IncidentsService).create(northbankHandler, {
    title: 'Credential phishing against online-banking customers',
    summary: 'Look-alike login pages sent by SMS; 40 customers entered credentials before the domain was blocked.',
    category: 'fraud',
    subType: 'phishing',
    severity: 3,
    marking: 'AMBER',
    awareAt: new Date(Date.now() - 6 * 3600_000).toISOString(),
    internalNotes: 'Fraud team is calling the affected customers.',
  });
  const observable = await app.get(ObservablesService).create(northbankHandler, incident.id, {
    type: 'domain',
    value: 'northbank-secure-login.example',
    marking: 'AMBER',
    pap: 'AMBER',
  });
  await app.get(ReleasesService).create(northbankHandler, { type: 'incident', id: incident.id }, {
    recipients: [{ kind: 'organisation', id: csirt.id }],
    fields: [],
    redact: {},
    reason: 'needs coordination: the same kit was seen at other banks',
    contained: { field: 'observables', ids: [observable.id] },
  });

  // The joint incident, its participants (St Mary's pseudonymous), each answering with its points of contact.
  const joint = await app.get(JointIncidentsService).create(coordinator, {
    title: DEMO_JOINT_TITLE,
    summary: 'The same phishing kit targets customers of several members; coordinating takedown and warnings.',
    category: 'fraud',
    subType: 'phishing',
    severity: 3,
    marking: 'AMBER',
  });
  const participants = app.get(ParticipantsService);
  const contacts = app.get(PointsOfContactService);
  for (const [org, role, pseudonymous] of [
    [northbank, 'lead', false],
    [hospital, 'affected', true],
    [gridpower, 'responder', false],
  ] as const) {
    await participants.invite(coordinator, joint.id, { organisationId: org.id, role, pseudonymous });
    const admin = await userWithRole(db, org, 'admin');
    const directory = await contacts.listFor(admin, org.id);
    await participants.accept(admin, joint.id, org.id, { pointsOfContact: directory.items.slice(0, 2).map((c) => c.id) });
  }

  // The onward AMBER pass: the participants read Northbank's incident via the joint incident.
  await app.get(LinkedIncidentsService).link(coordinator, joint.id, { incidentId: incident.id, passOn: true, reason: 'same kit; participants need the indicators' });

  const updates = app.get(JointUpdatesService);
  await updates.create(coordinator, joint.id, {
    kind: 'advisory',
    title: 'Block the look-alike domains and warn customers',
    body: 'Block northbank-secure-login.example and similar registrations; warn customers that banks never ask for credentials by SMS.',
    marking: 'AMBER',
    audience: 'all',
  });
  await updates.create(await userWithRole(db, gridpower, 'handler'), joint.id, {
    kind: 'update',
    title: 'Same SMS sender seen against our customer portal',
    body: 'Two employees reported the SMS; no credentials entered. Sender number shared with the coordinator.',
    marking: 'AMBER',
    audience: 'all',
  });
  await app.get(JointDecisionsService).create(coordinator, joint.id, {
    decision: 'Request takedown of the phishing domains through the registrar',
    rationale: 'The pages are still live and new victims are reported every hour.',
  });
  return { jointIncidentId: joint.id, passedIncidentId: incident.id };
}

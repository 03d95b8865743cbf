import type { INestApplicationContext } from '@nestjs/common';
import { OPERATOR_CONTEXT, TenantDatabase } from '#database';
import { ImprovementActionsService } from '#improvement-actions';
import { IncidentsService, ObservablesService } from '#incidents';
import {
  JointDecisionsService,
  JointIncidentsService,
  JointReviewService,
  JointTasksService,
  JointUpdatesService,
  LinkedIncidentsService,
  ParticipantsService,
  seedDemoAgreement,
  userWithRole,
} from '#joint-incidents';
import { OrganisationEntity, PointsOfContactService } from '#organisations';
import { ReleasesService } from '#sharing';

export const DEMO_JOINT_TITLE = 'Phishing wave against regional banks and hospitals';
export const DEMO_REVIEWED_TITLE = 'Ransomware drill across health and energy';

/**
 * Coordination at once, for the demo (issue 10, section 4): an agreement the three members accepted, a joint
 * incident with them as participants (St Mary's under a pseudonym), a Northbank AMBER incident released to the
 * coordinator and passed on into it, an advisory, an update from GridPower and a decision; and (issue 11) two tasks
 * in it, one accepted by GridPower and one for the pseudonymous St Mary's, and a second joint incident, an exercise
 * already through its lessons-learned review: two contributions, the published joint report quoting them, and
 * improvement actions (GridPower's shared with the coordination team, Northbank's kept to itself). Every step goes
 * through the services the API calls, so the demo obeys the same rules (agreements, markings, audiences).
 */
export async function seedDemoCoordination(
  app: INestApplicationContext,
): Promise<{ jointIncidentId: string; passedIncidentId: string; reviewedJointIncidentId: string }> {
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

  // Tasks: GridPower's accepted, St Mary's (a pseudonym to the others) still proposed; due dates in their zones.
  const tasks = app.get(JointTasksService);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const gridpowerHandler = await userWithRole(db, gridpower, 'handler');
  const sender = await tasks.assign(coordinator, joint.id, {
    assignee: gridpower.id,
    title: 'Send the SMS sender number and timestamps to the registrar',
    description: 'The registrar needs both to suspend the sender.',
    marking: 'AMBER',
    priority: 'high',
    dueAt: `${tomorrow}T17:00`,
    dueTimeZone: 'Europe/Vienna',
  });
  await tasks.move(gridpowerHandler, joint.id, sender.id, 'accept', { version: sender.version, reason: 'On it' });
  await tasks.assign(coordinator, joint.id, {
    assignee: hospital.id,
    title: 'Warn staff about the SMS lure',
    marking: 'AMBER',
    priority: 'medium',
    dueAt: `${tomorrow}T09:00`,
    dueTimeZone: 'Europe/Berlin',
  });

  const reviewed = await seedReviewedExercise(app, { coordinator, northbank, gridpower });
  return { jointIncidentId: joint.id, passedIncidentId: incident.id, reviewedJointIncidentId: reviewed };
}

/**
 * A ransomware exercise run as a joint incident, through its lessons-learned review to closing: Northbank's
 * contribution for all participants, GridPower's for the coordination team only, the report quoting both (each
 * reader sees only the quotes it may read), and the improvement actions each raised.
 */
async function seedReviewedExercise(
  app: INestApplicationContext,
  orgs: { coordinator: Awaited<ReturnType<typeof userWithRole>>; northbank: OrganisationEntity; gridpower: OrganisationEntity },
): Promise<string> {
  const db = app.get(TenantDatabase);
  const { coordinator } = orgs;
  const joints = app.get(JointIncidentsService);
  let joint = await joints.create(coordinator, {
    title: DEMO_REVIEWED_TITLE,
    summary: 'Tabletop exercise: ransomware in a hospital supplier spreads to an energy operator.',
    category: 'malicious-code',
    subType: 'infected-system',
    severity: 2,
    marking: 'AMBER',
    exercise: true,
  });
  const participants = app.get(ParticipantsService);
  const contacts = app.get(PointsOfContactService);
  const handlers = new Map<string, Awaited<ReturnType<typeof userWithRole>>>();
  for (const [org, role] of [
    [orgs.northbank, 'affected'],
    [orgs.gridpower, 'responder'],
  ] as const) {
    await participants.invite(coordinator, joint.id, { organisationId: org.id, role, pseudonymous: false });
    const admin = await userWithRole(db, org, 'admin');
    const directory = await contacts.listFor(admin, org.id);
    await participants.accept(admin, joint.id, org.id, { pointsOfContact: directory.items.slice(0, 2).map((c) => c.id) });
    handlers.set(org.slug, await userWithRole(db, org, 'handler'));
  }
  for (const phase of ['assess_decide', 'respond', 'learn_lessons'] as const) {
    joint = await joints.changePhase(coordinator, joint.id, { phase, reason: 'exercise script', version: joint.version });
  }

  const review = app.get(JointReviewService);
  const northbank = await review.put(handlers.get('northbank')!, joint.id, {
    whatHappened: 'Our payment gateway lost its supplier link for two hours.',
    whatWorked: 'The out-of-band call tree reached every duty officer within 15 minutes.',
    whatDidNot: 'The supplier contact list was a year old.',
    recommendations: 'Review supplier contacts every quarter.',
    marking: 'AMBER',
    audience: 'all',
  });
  const gridpower = await review.put(handlers.get('gridpower')!, joint.id, {
    whatHappened: 'The exercise reached our OT network through a shared jump host.',
    whatDidNot: 'The jump host is outside our change process.',
    recommendations: 'Put the jump host under change control.',
    marking: 'AMBER',
    audience: 'coordinator',
  });
  const report = await review.putReport(coordinator, joint.id, {
    summary: 'Supplier compromise exercise across two sectors.',
    findings: 'Contact data and shared infrastructure were the weak points.',
    recommendations: 'Quarterly contact reviews; shared jump hosts under change control.',
    quotes: [
      { contributionId: northbank.id, field: 'whatDidNot' },
      { contributionId: gridpower.id, field: 'whatDidNot' },
    ],
    marking: 'AMBER',
  });
  await review.publish(coordinator, joint.id, { version: report.version });

  const actions = app.get(ImprovementActionsService);
  const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  await actions.createFromJoint(handlers.get('gridpower')!, joint.id, {
    kind: 'control',
    title: 'Bring the shared jump host under change control',
    dueOn: due,
    marking: 'AMBER',
    shareWithCoordinator: true,
  });
  await actions.createFromJoint(handlers.get('northbank')!, joint.id, {
    kind: 'plan',
    title: 'Quarterly review of supplier contacts in the response plan',
    dueOn: due,
    marking: 'AMBER',
  });
  const { version } = await joints.get(coordinator, joint.id);
  await joints.changePhase(coordinator, joint.id, { phase: 'closed', reason: 'exercise complete', closingSummary: 'Exercise reviewed; actions raised.', version });
  return joint.id;
}

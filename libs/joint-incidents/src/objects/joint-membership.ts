import { HubException } from '#common';
import type { OrgPrincipal } from '#auth';
import type { TenantTransaction } from '#database';
import { JointObjectException } from './joint-object.exception.js';

/**
 * The caller's place in one joint incident: the coordination team that owns it, or an accepted participant.
 * Anyone else (an invited or removed organisation, an outsider) gets the same 404 as for a missing id.
 */
export interface JointMembership {
  jointId: string;
  coordinatorOrgId: string;
  as: 'coordinator' | 'participant';
  /** The caller's participation row (its pseudonymous id inside this joint incident); null for the coordinator. */
  participantId: string | null;
  /** Known to the coordinator only (a participant reads the joint incident itself through the shared view). */
  phase: string | null;
  marking: string | null;
}

export async function jointMembership(tx: TenantTransaction, principal: OrgPrincipal, jointId: string): Promise<JointMembership> {
  // Row-level security shows the coordinator its own joint incidents and a participant its own participation rows.
  const [own] = await tx.query<{ id: string; org_id: string; phase: string; marking: string }>(
    'SELECT id, org_id, phase, marking FROM joint_incidents WHERE id = $1 AND org_id = $2',
    [jointId, principal.orgId],
  );
  if (own) return { jointId, coordinatorOrgId: own.org_id, as: 'coordinator', participantId: null, phase: own.phase, marking: own.marking };
  const [participation] = await tx.query<{ id: string; org_id: string }>(
    `SELECT id, org_id FROM joint_participants WHERE joint_incident_id = $1 AND participant_org_id = $2 AND state = 'accepted'`,
    [jointId, principal.orgId],
  );
  if (!participation) throw HubException.notFound('joint incident');
  return { jointId, coordinatorOrgId: participation.org_id, as: 'participant', participantId: participation.id, phase: null, marking: null };
}

/** Writes of the coordination team (advisories, decisions, links) need its `coordinator` role. */
export function requireCoordinator(principal: OrgPrincipal, membership: JointMembership, what: string): void {
  if (membership.as !== 'coordinator' || !principal.roles.includes('coordinator')) throw JointObjectException.coordinatorOnly(what);
}

/** The workspace of a closed joint incident is final; a participant learns the phase from `hub_joint_phase`. */
export async function requireOpen(tx: TenantTransaction, membership: JointMembership): Promise<void> {
  let phase = membership.phase;
  if (phase === null) [{ phase }] = await tx.query<{ phase: string | null }>('SELECT hub_joint_phase($1) AS phase', [membership.jointId]);
  if (phase === 'closed') throw JointObjectException.closed();
}

/** An accepted participant as the caller may know it: the organisation stays hidden behind a pseudonym. */
export interface VisibleParticipant {
  participantId: string;
  orgId: string | null;
  pseudonym: string | null;
}

/**
 * The accepted participants of the joint incident as the caller may see them (`hub_joint_roster`): the
 * coordinator sees every organisation, a participant sees a pseudonymous one only by its participant id.
 */
export async function visibleParticipants(tx: TenantTransaction, jointId: string): Promise<VisibleParticipant[]> {
  const rows = await tx.query<{ participant_id: string; org_id: string | null; pseudonym: string | null }>(
    'SELECT participant_id, org_id, pseudonym FROM hub_joint_roster($1)',
    [jointId],
  );
  return rows.map((r) => ({ participantId: r.participant_id, orgId: r.org_id, pseudonym: r.pseudonym }));
}

import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, sharedReadContextOf, tenantContextOf } from '#auth';
import { grantLogWriter, revokeLogWriter } from '#audit';
import { TenantDatabase, type TenantTransaction } from '#database';
import { requireAgreementInForce } from './agreements/agreement-in-force.js';
import type { AcceptInvitationDto, DeclineInvitationDto, InviteParticipantDto, RemoveParticipantDto } from './dto/joint-incident.dto.js';
import { JointIncidentException } from './joint-incident.exception.js';
import { coordinatorParticipantView, type ParticipantRow, type SharedParticipantRow, sharedParticipantView } from './joint-incident.view.js';
import { findSharedJoint } from './joint-incidents.service.js';
import { emitJointEvent, findOwnJoint, findOwnParticipation, logJoint, requireCoordinator, syncJointAccess } from './joint-workspace.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Participants of a joint incident: the coordinator invites an organisation with a role (optionally under a
 * pseudonym); the organisation's admin or handler accepts, naming its points of contact, or declines with a
 * reason; the coordinator removes. The answer is the one write a participant makes to the coordinator's rows:
 * it goes through the definer function `hub_answer_joint_invitation`, which changes exactly the answer columns
 * of the caller's own open invitation. Grants move in the same transaction (hub_sync_joint_access).
 */
@Injectable()
export class ParticipantsService {
  constructor(private readonly db: TenantDatabase) {}

  async invite(principal: OrgPrincipal, jointId: string, dto: InviteParticipantDto) {
    requireCoordinator(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const joint = await findOwnJoint(tx, jointId, true);
      if (joint.phase === 'closed') throw JointIncidentException.closed();
      const [org] = await tx.query<{ id: string; status: string }>('SELECT id, status FROM organisations WHERE id = $1', [dto.organisationId]);
      if (!org || org.status !== 'active') throw JointIncidentException.notEligible('no active organisation has this id');
      if (org.id === principal.orgId) throw JointIncidentException.notEligible('the coordinator runs the joint incident; it does not take part in it');
      await requireAgreementInForce(tx, org.id, principal.orgId, 'organisationId');
      const [live] = await tx.query('SELECT 1 FROM joint_participants WHERE joint_incident_id = $1 AND participant_org_id = $2 AND state IN ($3, $4)', [
        jointId,
        org.id,
        'invited',
        'accepted',
      ]);
      if (live) throw JointIncidentException.alreadyParticipant();
      const pseudonym = dto.pseudonymous ? await choosePseudonym(tx, jointId, org.id) : null;
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO joint_participants (org_id, joint_incident_id, participant_org_id, role, pseudonym, invited_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [principal.orgId, jointId, org.id, dto.role, pseudonym, principal.id],
      );
      // The invitee appends its answer (and later its own changes) to the coordinator's chain.
      await grantLogWriter(tx, { type: 'joint_incident', id: jointId }, org.id);
      await logJoint(tx, principal, jointId, {
        action: 'joint_incident.participant_invited',
        details: { participantId: row.id, organisationId: org.id, role: dto.role, pseudonym },
      });
      // The invitation itself is for the invited organisation (and the coordinator); it reads nothing else yet.
      await emitJointEvent(tx, jointId, {
        type: 'joint_incident.participant_invited',
        aggregateType: 'joint_incident',
        aggregateId: jointId,
        payload: { participantId: row.id },
        grantees: [`org:${principal.orgId}`, `org:${org.id}`],
      });
      return coordinatorParticipantView(await findParticipant(tx, row.id));
    });
  }

  /** The coordinator: every participation. An accepted participant: the accepted ones, pseudonyms kept. Else 404. */
  async list(principal: OrgPrincipal, jointId: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const [own] = await tx.query('SELECT 1 FROM joint_incidents WHERE id = $1 AND org_id = $2', [jointId, principal.orgId]);
      if (own) {
        const rows = await tx.query<ParticipantRow>(`${PARTICIPANTS} WHERE p.joint_incident_id = $1 AND p.org_id = $2 ORDER BY p.invited_at, p.id`, [
          jointId,
          principal.orgId,
        ]);
        return { items: rows.map(coordinatorParticipantView) };
      }
      await findSharedJoint(tx, principal, jointId);
      const rows = await tx.query<SharedParticipantRow>(
        'SELECT * FROM shared_joint_participants p WHERE p.joint_incident_id = $1 ORDER BY p.answered_at, p.id',
        [jointId],
      );
      return { items: rows.map(sharedParticipantView) };
    });
  }

  async accept(principal: OrgPrincipal, jointId: string, orgId: string, dto: AcceptInvitationDto) {
    return this.answer(principal, jointId, orgId, async (tx, coordinatorOrgId) => {
      await requireAgreementInForce(tx, principal.orgId, coordinatorOrgId, 'agreement');
      const own = await tx.query<{ id: string }>('SELECT id FROM points_of_contact WHERE id = ANY ($1::uuid[]) AND org_id = $2', [
        dto.pointsOfContact,
        principal.orgId,
      ]);
      if (own.length !== dto.pointsOfContact.length) throw JointIncidentException.contactsNotOwn();
      return { accept: true, contacts: dto.pointsOfContact, reason: null };
    });
  }

  async decline(principal: OrgPrincipal, jointId: string, orgId: string, dto: DeclineInvitationDto) {
    return this.answer(principal, jointId, orgId, async () => ({ accept: false, contacts: null, reason: dto.reason }));
  }

  /** Removal withdraws everything the participant read through the joint incident, in this transaction. */
  async remove(principal: OrgPrincipal, jointId: string, orgId: string, dto: RemoveParticipantDto) {
    requireCoordinator(principal);
    return this.db.run(tenantContextOf(principal), async (tx) => {
      await findOwnJoint(tx, jointId, true);
      const [row] = await tx.query<{ id: string }>(
        `UPDATE joint_participants SET state = 'removed', removed_at = now(), removed_by = $3, remove_reason = $4, updated_at = now()
          WHERE joint_incident_id = $1 AND participant_org_id = $2 AND org_id = $5 AND state IN ('invited', 'accepted') RETURNING id`,
        [jointId, orgId, principal.id, dto.reason, principal.orgId],
      );
      if (!row) throw JointIncidentException.notParticipant();
      await syncJointAccess(tx, jointId);
      await revokeLogWriter(tx, { type: 'joint_incident', id: jointId }, orgId);
      await logJoint(tx, principal, jointId, {
        action: 'joint_incident.participant_removed',
        reason: dto.reason,
        details: { participantId: row.id, organisationId: orgId },
      });
      await emitJointEvent(tx, jointId, {
        type: 'joint_incident.participant_removed',
        aggregateType: 'joint_incident',
        aggregateId: jointId,
        payload: { participantId: row.id },
      });
      return coordinatorParticipantView(await findParticipant(tx, row.id));
    });
  }

  /**
   * A participant organisation answers its own open invitation: the path's organisation must be the caller's
   * (else 404, as for any invitation the caller cannot see); logged in the coordinator's chain.
   */
  private async answer(
    principal: OrgPrincipal,
    jointId: string,
    orgId: string,
    decide: (tx: TenantTransaction, coordinatorOrgId: string) => Promise<{ accept: boolean; contacts: string[] | null; reason: string | null }>,
  ) {
    if (orgId !== principal.orgId) throw HubException.notFound('invitation');
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const participation = await findOwnParticipation(tx, jointId);
      // A declined or removed organisation is no participant: its answer is the missing one, not a conflict.
      if (!participation || participation.state === 'declined' || participation.state === 'removed') throw HubException.notFound('invitation');
      if (participation.state !== 'invited') throw JointIncidentException.notInvited();
      const answer = await decide(tx, participation.org_id);
      const [{ id }] = await tx.query<{ id: string | null }>('SELECT hub_answer_joint_invitation($1, $2, $3, $4) AS id', [
        jointId,
        answer.accept,
        answer.contacts,
        answer.reason,
      ]);
      if (!id) throw JointIncidentException.notInvited();
      await syncJointAccess(tx, jointId);
      await logJoint(tx, principal, jointId, {
        action: answer.accept ? 'joint_incident.participant_accepted' : 'joint_incident.participant_declined',
        reason: answer.reason ?? '',
        details: { participantId: id, organisationId: principal.orgId, pointsOfContact: answer.contacts ?? [] },
      });
      await emitJointEvent(tx, jointId, {
        type: answer.accept ? 'joint_incident.participant_accepted' : 'joint_incident.participant_declined',
        aggregateType: 'joint_incident',
        aggregateId: jointId,
        payload: { participantId: id },
      });
      const [own] = await tx.query<ParticipantRow>(`${PARTICIPANTS} WHERE p.id = $1`, [id]);
      return coordinatorParticipantView(own);
    });
  }
}

const PARTICIPANTS = 'SELECT p.*, o.name AS org_name FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id';

async function findParticipant(tx: TenantTransaction, id: string): Promise<ParticipantRow> {
  const [row] = await tx.query<ParticipantRow>(`${PARTICIPANTS} WHERE p.id = $1`, [id]);
  return row;
}

/**
 * 'Participant C': the organisation's earlier pseudonym in this joint incident if it had one (stable within it),
 * else a letter drawn at random among those no participation of this joint incident used, so the letter says
 * nothing about the order of invitations nor links joint incidents.
 */
async function choosePseudonym(tx: TenantTransaction, jointId: string, orgId: string): Promise<string> {
  const rows = await tx.query<{ pseudonym: string; participant_org_id: string }>(
    'SELECT pseudonym, participant_org_id FROM joint_participants WHERE joint_incident_id = $1 AND pseudonym IS NOT NULL',
    [jointId],
  );
  const earlier = rows.find((r) => r.participant_org_id === orgId);
  if (earlier) return earlier.pseudonym;
  const used = new Set(rows.map((r) => r.pseudonym));
  for (const width of [1, 2, 3]) {
    const free = labels(width).filter((label) => !used.has(`Participant ${label}`));
    if (free.length > 0) return `Participant ${free[randomInt(free.length)]}`;
  }
  throw new Error('no pseudonym left in this joint incident');
}

function labels(width: number): string[] {
  if (width === 1) return [...LETTERS];
  return labels(width - 1).flatMap((prefix) => [...LETTERS].map((letter) => prefix + letter));
}

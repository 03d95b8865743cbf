import { Injectable } from '@nestjs/common';
import { type OrgPrincipal, sharedReadContextOf } from '#auth';
import { TenantDatabase } from '#database';
import type { ParticipantRow, SharedParticipantRow } from './joint-incident.view.js';
import { findSharedJoint } from './joint-incidents.service.js';

interface GrantRow {
  grantee: string;
  via: string | null;
}

/**
 * "Who reads this joint incident, and why." The coordinator sees every participation and every grant with the
 * rule behind it; a participant sees the accepted participants (pseudonymous ones by pseudonym and participant
 * id only) and the grant by which it reads. Anyone else: 404.
 */
@Injectable()
export class JointAccessService {
  constructor(private readonly db: TenantDatabase) {}

  async explain(principal: OrgPrincipal, jointId: string) {
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const [own] = await tx.query<{ marking: string }>('SELECT marking FROM joint_incidents WHERE id = $1 AND org_id = $2', [jointId, principal.orgId]);
      if (own) {
        const participants = await tx.query<ParticipantRow>(
          `SELECT p.*, o.name AS org_name FROM joint_participants p JOIN organisations o ON o.id = p.participant_org_id
            WHERE p.joint_incident_id = $1 AND p.org_id = $2 ORDER BY p.invited_at, p.id`,
          [jointId, principal.orgId],
        );
        const grants = await tx.query<GrantRow>(
          "SELECT grantee, via FROM access WHERE object_id = $1 AND object_type = 'joint_incident' AND owner_org_id = $2 ORDER BY grantee",
          [jointId, principal.orgId],
        );
        // RED grants name users: the users of the points of contact each participant named.
        const contacts = await tx.query<{ id: string; user_id: string | null }>('SELECT id, user_id FROM points_of_contact WHERE id = ANY ($1::uuid[])', [
          participants.flatMap((p) => p.points_of_contact),
        ]);
        const keysOf = (p: ParticipantRow) =>
          new Set([`org:${p.participant_org_id}`, ...contacts.filter((c) => c.user_id && p.points_of_contact.includes(c.id)).map((c) => `user:${c.user_id}`)]);
        return {
          jointIncidentId: jointId,
          marking: own.marking,
          owner: { organisationId: principal.orgId, rule: 'the coordinator organisation owns the joint incident and reads all of it' },
          participants: participants.map((p) => ({
            participantId: p.id,
            organisationId: p.participant_org_id,
            organisationName: p.org_name,
            pseudonym: p.pseudonym,
            role: p.role,
            state: p.state,
            reads: grants.filter((g) => keysOf(p).has(g.grantee)).map((g) => g.grantee),
            rule: ruleFor(p.state, own.marking),
          })),
          grants: grants.map((g) => ({ grantee: g.grantee, via: g.via })),
        };
      }
      const joint = await findSharedJoint(tx, principal, jointId);
      const mine = await tx.query<GrantRow>(
        "SELECT grantee, via FROM access WHERE object_id = $1 AND object_type = 'joint_incident' AND grantee = ANY ($2::text[]) ORDER BY grantee",
        [jointId, [`org:${principal.orgId}`, ...(principal.kind === 'user' ? [`user:${principal.id}`] : [])]],
      );
      const participants = await tx.query<SharedParticipantRow>(
        'SELECT * FROM shared_joint_participants p WHERE p.joint_incident_id = $1 ORDER BY p.answered_at, p.id',
        [jointId],
      );
      return {
        jointIncidentId: jointId,
        marking: joint.marking,
        owner: { organisationId: joint.org_id, organisationName: joint.author_label, rule: 'the coordinator organisation owns the joint incident' },
        you: {
          grants: mine.map((g) => ({ grantee: g.grantee, via: g.via })),
          rule: joint.marking === 'RED'
            ? 'RED: you read it as a user your organisation named as its point of contact for this joint incident'
            : 'your organisation accepted its invitation and takes part in the joint incident',
        },
        participants: participants.map((p) =>
          p.participant_org_id === null
            ? { participantId: p.id, pseudonym: p.pseudonym, role: p.role, rule: 'an accepted participant, under a pseudonym' }
            : { participantId: p.id, organisationId: p.participant_org_id, organisationName: p.org_name, role: p.role, rule: 'an accepted participant' },
        ),
      };
    });
  }
}

function ruleFor(state: string, marking: string): string {
  if (state === 'invited') return 'invited: reads nothing until its admin or a handler accepts';
  if (state === 'declined') return 'declined its invitation: reads nothing';
  if (state === 'removed') return 'removed: everything it read through the joint incident was withdrawn';
  return marking === 'RED'
    ? 'accepted, RED: only the users it named as points of contact for this joint incident read it'
    : 'accepted participant: its organisation reads the joint incident';
}

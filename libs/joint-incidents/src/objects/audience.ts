import type { FieldProblem } from '#common';
import { HubException } from '#common';
import type { TenantTransaction } from '#database';
import type { TlpMarking } from '#sharing';
import { JointObjectException } from './joint-object.exception.js';
import type { JointMembership } from './joint-membership.js';

export interface AudienceInput {
  marking: TlpMarking;
  audience: 'all' | 'chosen' | 'coordinator';
  audienceOrgs?: string[];
  audienceUsers?: string[];
}

export interface ResolvedAudience {
  /** The participants' organisations (what the derived grants read); never shown to a participant. */
  orgIds: string[];
  /** The same participants by their ids inside the joint incident (what the author is shown). */
  participantIds: string[];
  users: string[];
}

/** The shape rules, before any database read: 400 naming the field and the rule. */
export function checkAudienceShape(input: AudienceInput): void {
  if (input.audience === 'chosen' && !input.audienceOrgs?.length) {
    throw HubException.invalid('audienceOrgs', 'requiredForChosen', 'audience chosen needs audienceOrgs: the participants it reaches');
  }
  if (input.audience !== 'chosen' && input.audienceOrgs !== undefined) {
    throw HubException.invalid('audienceOrgs', 'onlyForChosen', 'audienceOrgs is for audience chosen only');
  }
  if (input.marking !== 'RED' && input.audienceUsers !== undefined) {
    throw HubException.invalid('audienceUsers', 'onlyForRed', 'audienceUsers names the users a RED object reaches; other markings reach organisations');
  }
  if (input.marking === 'RED' && !input.audienceUsers?.length) throw JointObjectException.redNeedsNamedUsers();
}

/**
 * Resolves an audience against the accepted participants the caller may know (`hub_joint_audience`): a
 * participant names a pseudonymous one by its participant id only, so a refusal tells it nothing about which
 * organisation hides behind a pseudonym. Named users (RED) must belong to the coordination team, the caller's
 * own organisation or an accepted participant the caller knows by organisation.
 */
export async function resolveAudience(tx: TenantTransaction, membership: JointMembership, orgId: string, input: AudienceInput): Promise<ResolvedAudience> {
  const problems: FieldProblem[] = [];
  const given = input.audienceOrgs ?? [];
  const found = given.length
    ? await tx.query<{ given: string; participant_id: string; org_id: string | null }>('SELECT given, participant_id, org_id FROM hub_joint_audience($1, $2::uuid[])', [
        membership.jointId,
        given,
      ])
    : [];
  const byGiven = new Map(found.map((r) => [r.given, r]));
  given.forEach((id, index) => {
    if (!byGiven.has(id)) problems.push({ field: `audienceOrgs[${index}]`, rule: 'acceptedParticipant', message: `${id} is not an accepted participant of this joint incident` });
  });

  const users = input.audienceUsers ?? [];
  if (users.length) {
    const known = await tx.query<{ org_id: string | null }>('SELECT org_id FROM hub_joint_roster($1) WHERE org_id IS NOT NULL', [membership.jointId]);
    const allowed = new Set([membership.coordinatorOrgId, orgId, ...known.map((r) => r.org_id as string)]);
    for (const [index, userId] of users.entries()) {
      const [row] = await tx.query<{ org_id: string | null }>('SELECT hub_user_org($1) AS org_id', [userId]);
      if (!row?.org_id || !allowed.has(row.org_id)) {
        problems.push({ field: `audienceUsers[${index}]`, rule: 'participantUser', message: `${userId} is not a user of the coordination team or of an accepted participant` });
      }
    }
  }
  if (problems.length) throw JointObjectException.audienceNotParticipant(problems);
  // One participant named twice (by organisation and by participant id) counts once. A pseudonymous one the caller
  // may not know by organisation stays its participation id (the grant recomputation resolves it).
  const chosen = new Map(given.map((id) => [byGiven.get(id)!.participant_id, byGiven.get(id)!.org_id ?? byGiven.get(id)!.participant_id]));
  return { orgIds: [...chosen.values()], participantIds: [...chosen.keys()], users };
}

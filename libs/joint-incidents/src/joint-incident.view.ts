import type { Phase } from '#incidents';
import type { TlpMarking } from '#sharing';
import type { ParticipantRole } from './dto/joint-incident.dto.js';

export interface JointIncidentRow {
  id: string;
  org_id: string;
  title: string;
  summary: string;
  category: string;
  sub_type: string;
  severity: number;
  phase: Phase;
  marking: TlpMarking;
  exercise: boolean;
  closing_summary: string | null;
  version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  sort_key: string;
}

/** The joint incident as another organisation reads it (`shared_joint_incidents`): the coordinator named. */
export type SharedJointIncidentRow = JointIncidentRow & { author_label: string };

const COLUMNS = ['id', 'org_id', 'title', 'summary', 'category', 'sub_type', 'severity', 'phase', 'marking', 'exercise',
  'closing_summary', 'version', 'created_by', 'created_at', 'updated_at', 'closed_at'];

/** The joint-incident columns under a table alias, with the cursor's sort key as text (or `sortKey` instead). */
export function JOINT_COLUMNS_OF(alias: string, sortKey = `${alias}.updated_at::text`): string {
  return `${COLUMNS.map((c) => `${alias}.${c}`).join(', ')}, ${sortKey} AS sort_key`;
}

export type ParticipantState = 'invited' | 'accepted' | 'declined' | 'removed';

export interface ParticipantRow {
  id: string;
  joint_incident_id: string;
  participant_org_id: string;
  org_name: string;
  role: ParticipantRole;
  state: ParticipantState;
  pseudonym: string | null;
  points_of_contact: string[];
  invited_at: Date;
  answered_at: Date | null;
  decline_reason: string | null;
  removed_at: Date | null;
  remove_reason: string | null;
}

/** A row of `shared_joint_participants`: a pseudonymous participant (not the caller) with its org columns null. */
export interface SharedParticipantRow {
  id: string;
  joint_incident_id: string;
  participant_org_id: string | null;
  org_name: string | null;
  pseudonym: string | null;
  role: ParticipantRole;
  state: ParticipantState;
  points_of_contact: string[] | null;
  answered_at: Date | null;
}

export interface LinkedIncidentRow {
  id: string;
  incident_id: string;
  incident_org_id: string;
  passed_on: boolean;
  linked_at: Date;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** What the register lists, to the coordinator and to a participant alike. */
export function jointRegisterItemView(row: JointIncidentRow) {
  return {
    id: row.id,
    title: row.title,
    category: row.category,
    subType: row.sub_type,
    severity: row.severity,
    phase: row.phase,
    marking: row.marking,
    exercise: row.exercise,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function jointCoreView(row: JointIncidentRow) {
  return {
    ...jointRegisterItemView(row),
    coordinatorOrgId: row.org_id,
    summary: row.summary,
    closingSummary: row.closing_summary,
    closedAt: iso(row.closed_at),
  };
}

/** The coordinator's view: every field, every participation (who each pseudonym is), the linked incidents. */
export function coordinatorJointView(row: JointIncidentRow, participants: ParticipantRow[], linked: LinkedIncidentRow[]) {
  return {
    ...jointCoreView(row),
    createdBy: row.created_by,
    participants: participants.map(coordinatorParticipantView),
    linkedIncidents: linked.map((l) => ({
      id: l.id,
      incidentId: l.incident_id,
      organisationId: l.incident_org_id,
      passedOn: l.passed_on,
      linkedAt: l.linked_at.toISOString(),
    })),
  };
}

/** An accepted participant's view: the shared projection, the other participants per the pseudonym rule. */
export function participantJointView(row: SharedJointIncidentRow, participants: SharedParticipantRow[]) {
  return { ...jointCoreView(row), coordinatorName: row.author_label, participants: participants.map(sharedParticipantView) };
}

export function coordinatorParticipantView(p: ParticipantRow) {
  return {
    id: p.id,
    organisationId: p.participant_org_id,
    organisationName: p.org_name,
    pseudonym: p.pseudonym,
    role: p.role,
    state: p.state,
    pointsOfContact: p.points_of_contact,
    invitedAt: p.invited_at.toISOString(),
    answeredAt: iso(p.answered_at),
    declineReason: p.decline_reason,
    removedAt: iso(p.removed_at),
    removeReason: p.remove_reason,
  };
}

/** A pseudonymous participant shows its participation id, pseudonym and role only; the others show who they are. */
export function sharedParticipantView(p: SharedParticipantRow) {
  if (p.participant_org_id === null) return { id: p.id, pseudonym: p.pseudonym, role: p.role };
  return {
    id: p.id,
    organisationId: p.participant_org_id,
    organisationName: p.org_name,
    pseudonym: p.pseudonym,
    role: p.role,
    state: p.state,
    pointsOfContact: p.points_of_contact ?? [],
    answeredAt: iso(p.answered_at),
  };
}

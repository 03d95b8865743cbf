import { localIn } from './due-date.js';

/** A task as the read statement returns it (own row or shared view), with its parties resolved for the reader. */
export interface JointTaskRow {
  id: string;
  joint_incident_id: string;
  author_participant_id: string | null;
  assignee_participant_id: string;
  assignee_contact_id: string | null;
  title: string;
  description: string;
  marking: string;
  priority: string;
  audience: string;
  audience_users: string[] | null;
  due_at: Date;
  due_time_zone: string;
  state: string;
  state_reason: string | null;
  outcome: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  own: boolean;
  sort_key: string;
  overdue: boolean;
  exercise: boolean | null;
  assigner_id: string | null;
  assigner_label: string | null;
  assigner_zone: string | null;
  assignee_id: string | null;
  assignee_label: string | null;
  assignee_zone: string | null;
  history_view: { at: string; action: string; from: string | null; to: string; note: string | null; actorId: string | null; actorLabel: string | null }[];
}

/**
 * What a reader gets of a task: each party by its organisation, or by participant id and pseudonym where it takes
 * part pseudonymously and the reader is neither the coordinator nor that participant (its zone then left out); the
 * due instant with its zone and local time, and the local time in the assigner's and the assignee's zones.
 */
export function jointTaskView(row: JointTaskRow) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    exercise: row.exercise === true,
    title: row.title,
    description: row.description,
    marking: row.marking,
    priority: row.priority,
    audience: row.audience,
    ...(row.own ? { audienceUsers: row.audience_users ?? [] } : {}),
    assigner: { id: row.assigner_id, label: row.assigner_label, participantId: row.author_participant_id },
    assignee: { id: row.assignee_id, label: row.assignee_label, participantId: row.assignee_participant_id },
    assigneeContactId: row.assignee_contact_id,
    due: {
      at: row.due_at.toISOString(),
      ...localIn(row.due_at, row.due_time_zone),
      inAssignerZone: row.assigner_zone ? localIn(row.due_at, row.assigner_zone) : null,
      inAssigneeZone: row.assignee_zone ? localIn(row.due_at, row.assignee_zone) : null,
    },
    state: row.state,
    stateReason: row.state_reason,
    outcome: row.outcome,
    overdue: row.overdue,
    history: row.history_view.map((h) => ({
      at: new Date(h.at).toISOString(),
      action: h.action,
      from: h.from ?? null,
      to: h.to,
      note: h.note ?? null,
      actor: { id: h.actorId, label: h.actorLabel },
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** One entry of an action's evidence history, as stored (appended, never rewritten). */
export interface EvidenceEntry {
  note: string;
  links: string[];
  addedBy: string;
  addedAt: string;
}

/** An improvement action as the table (its owner) or the shared view (the coordination team) returns it. */
export interface ImprovementActionRow {
  id: string;
  org_id: string;
  author_label: string | null;
  owner_user_id: string;
  source_type: 'incident' | 'joint_incident';
  incident_id: string | null;
  joint_incident_id: string | null;
  kind: string;
  title: string;
  description: string;
  due_on: string;
  marking: string;
  state: string;
  drop_reason: string | null;
  done_at: Date | null;
  share_with_coordinator: boolean;
  evidence: EvidenceEntry[];
  exercise: boolean;
  overdue: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
  sort_key: string;
  own: boolean;
}

/** What a reader gets of an action: the owner organisation by name (the coordinator knows who a pseudonym is). */
export function improvementActionView(row: ImprovementActionRow) {
  return {
    id: row.id,
    owner: { organisationId: row.org_id, label: row.author_label, userId: row.owner_user_id },
    source: { type: row.source_type, incidentId: row.incident_id, jointIncidentId: row.joint_incident_id },
    kind: row.kind,
    title: row.title,
    description: row.description,
    dueOn: row.due_on,
    marking: row.marking,
    state: row.state,
    dropReason: row.drop_reason,
    doneAt: row.done_at ? row.done_at.toISOString() : null,
    shareWithCoordinator: row.share_with_coordinator,
    evidence: row.evidence.map((e) => ({ note: e.note, links: e.links, addedBy: e.addedBy, addedAt: e.addedAt })),
    exercise: row.exercise,
    overdue: row.overdue,
    own: row.own,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** A joint update or advisory as stored, and as the shared view returns it (fewer columns, author by pseudonym). */
export interface JointUpdateRow {
  id: string;
  org_id: string;
  author_label: string | null;
  joint_incident_id: string;
  kind: string;
  title: string;
  body: string;
  marking: string;
  audience: string;
  audience_participants?: string[] | null;
  audience_orgs?: string[] | null;
  audience_users?: string[] | null;
  created_by?: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  sort_key: string;
  own: boolean;
}

/**
 * What a reader gets of an update: the author by its organisation, or by participant id and pseudonym when it
 * takes part pseudonymously. The audience lists only to the author and the coordination team.
 */
export function jointUpdateView(row: JointUpdateRow, seesAudience: boolean) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    marking: row.marking,
    audience: row.audience,
    ...(seesAudience ? { audienceParticipants: row.audience_participants ?? [], audienceUsers: row.audience_users ?? [] } : {}),
    author: { id: row.org_id, label: row.author_label },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

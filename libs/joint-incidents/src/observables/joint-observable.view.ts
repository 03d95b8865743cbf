export interface JointObservableRow {
  id: string;
  org_id: string;
  author_label: string | null;
  joint_incident_id: string;
  type: string;
  value: string;
  marking: string;
  pap: string;
  first_seen: Date | null;
  last_seen: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  sort_key: string;
  own: boolean;
}

export function jointObservableView(row: JointObservableRow) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    type: row.type,
    value: row.value,
    marking: row.marking,
    pap: row.pap,
    firstSeen: row.first_seen?.toISOString() ?? null,
    lastSeen: row.last_seen?.toISOString() ?? null,
    author: { id: row.org_id, label: row.author_label },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export interface JointDecisionRow {
  id: string;
  org_id: string;
  joint_incident_id: string;
  decision: string;
  rationale: string;
  decided_by: string | null;
  decided_at: Date;
  marking: string;
  created_at: Date;
  sort_key: string;
}

export function jointDecisionView(row: JointDecisionRow) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    decision: row.decision,
    rationale: row.rationale,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at.toISOString(),
    marking: row.marking,
    createdAt: row.created_at.toISOString(),
  };
}

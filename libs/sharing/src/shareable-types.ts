/**
 * The registry of shareable types (DESIGN section 4): everything the one sharing policy knows about an object
 * type. The ability, the SQL it compiles to, the access table, the projection, marking changes and explain read
 * this list and nothing else; adding a shareable type is one entry here, plus its table, its `shareable_types`
 * row and its shared view in a migration.
 */
export interface ShareableType {
  /** The `object_type` that releases and access rows carry, and that `hub_granted()` takes. */
  readonly type: string;
  /** The owner organisation's own records of this type, as the policy names them. */
  readonly ownSubject: string;
  /** The same rows as a recipient meets them, through a grant. */
  readonly sharedSubject: string;
  /** The table and the alias every compiled condition uses for it. */
  readonly table: string;
  readonly alias: string;
  /** The owner organisation's column and the marking's column in that table. */
  readonly ownerColumn: string;
  readonly markingColumn: string;
  /** The view (owned by the migration role) through which another organisation reads a row: the field guard. */
  readonly sharedView: string;
  /** Its container: the type that holds it and the column naming the container (`id` for a container itself). */
  readonly container: { readonly type: string; readonly column: string };
  /** What a recipient reads, by allow-list: a field not named here never leaves the owner. */
  readonly sharedFields: readonly string[];
  /** Internal-only fields: they reach a recipient only when a release names them. */
  readonly releasableFields: readonly string[];
  /** Fields a release may blank or pseudonymise instead of sending as they are. */
  readonly redactableFields: readonly string[];
  /** The column whose value orders a recipient's shared list (`access.sort_at`); null when not listed that way. */
  readonly sortColumn: string | null;
}

const INCIDENT_RELEASABLE = ['internalNotes', 'reporter', 'affectedAssets', 'report'] as const;

export const SHAREABLE_TYPES = [
  {
    type: 'incident',
    ownSubject: 'Incident',
    sharedSubject: 'SharedIncident',
    table: 'incidents',
    alias: 'i',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_incidents',
    container: { type: 'incident', column: 'id' },
    sharedFields: [
      'id', 'orgId', 'title', 'summary', 'category', 'subType', 'severity', 'phase', 'impact', 'marking',
      'awareAt', 'detectedAt', 'reportedAt', 'containedAt', 'closedAt', 'exercise', 'version', 'createdAt', 'updatedAt',
    ],
    // DESIGN section 4: internal notes, reporter identity, affected asset details, and the closing report.
    releasableFields: INCIDENT_RELEASABLE,
    redactableFields: ['title', 'summary', 'impact', ...INCIDENT_RELEASABLE],
    sortColumn: 'updated_at',
  },
  {
    type: 'observable',
    ownSubject: 'Observable',
    sharedSubject: 'SharedObservable',
    table: 'observables',
    alias: 'o',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_observables',
    container: { type: 'incident', column: 'incident_id' },
    sharedFields: ['id', 'incidentId', 'type', 'value', 'firstSeen', 'lastSeen', 'marking', 'pap', 'version', 'createdAt'],
    releasableFields: [],
    redactableFields: [],
    sortColumn: null,
  },
  // The coordination workspace (DESIGN section 5): its grants are derived from the participants and audiences
  // (`hub_sync_joint_access`), not released; a participant's update or observable is owned by its author.
  {
    type: 'joint_incident',
    ownSubject: 'JointIncident',
    sharedSubject: 'SharedJointIncident',
    table: 'joint_incidents',
    alias: 'j',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_incidents',
    container: { type: 'joint_incident', column: 'id' },
    sharedFields: ['id', 'orgId', 'title', 'summary', 'category', 'subType', 'severity', 'phase', 'marking', 'exercise', 'closingSummary', 'version', 'createdAt', 'updatedAt', 'closedAt'],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  {
    type: 'joint_update',
    ownSubject: 'JointUpdate',
    sharedSubject: 'SharedJointUpdate',
    table: 'joint_updates',
    alias: 'ju',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_updates',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: ['id', 'orgId', 'author', 'jointIncidentId', 'kind', 'title', 'body', 'marking', 'audience', 'version', 'createdAt', 'updatedAt'],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  {
    type: 'joint_decision',
    ownSubject: 'JointDecision',
    sharedSubject: 'SharedJointDecision',
    table: 'joint_decisions',
    alias: 'jd',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_decisions',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: ['id', 'orgId', 'jointIncidentId', 'decision', 'rationale', 'decidedBy', 'decidedAt', 'marking', 'createdAt'],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'created_at',
  },
  {
    type: 'joint_observable',
    ownSubject: 'JointObservable',
    sharedSubject: 'SharedJointObservable',
    table: 'joint_observables',
    alias: 'jo',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_observables',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: ['id', 'orgId', 'author', 'jointIncidentId', 'type', 'value', 'marking', 'pap', 'firstSeen', 'lastSeen', 'version', 'createdAt', 'updatedAt'],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  // A task assigned by the coordinator or the lead participant (its owner) to a participant: its grants are
  // derived by the joint_sync_hooks hook hub_sync_joint_tasks (migration 1765353600000).
  {
    type: 'joint_task',
    ownSubject: 'JointTask',
    sharedSubject: 'SharedJointTask',
    table: 'joint_tasks',
    alias: 'jt',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_tasks',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: [
      'id', 'orgId', 'jointIncidentId', 'assignee', 'assigneeContactId', 'title', 'description', 'marking', 'priority', 'audience',
      'due', 'state', 'stateReason', 'outcome', 'history', 'version', 'createdAt', 'updatedAt',
    ],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  // The lessons-learned review (issue 11): a participant's contribution (owned by its author, under its own
  // marking and audience) and the coordinator's joint report (reaching the participants once published).
  {
    type: 'joint_contribution',
    ownSubject: 'JointContribution',
    sharedSubject: 'SharedJointContribution',
    table: 'joint_contributions',
    alias: 'jc',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_contributions',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: [
      'id', 'orgId', 'author', 'jointIncidentId', 'whatHappened', 'whatWorked', 'whatDidNot', 'recommendations', 'nearMisses',
      'marking', 'audience', 'version', 'createdAt', 'updatedAt',
    ],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  {
    type: 'joint_report',
    ownSubject: 'JointReport',
    sharedSubject: 'SharedJointReport',
    table: 'joint_reports',
    alias: 'jr',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_joint_reports',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: [
      'id', 'orgId', 'jointIncidentId', 'summary', 'findings', 'recommendations', 'quotes', 'nearMissCount', 'marking', 'publishedAt',
      'version', 'createdAt', 'updatedAt',
    ],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
  // Improvement actions (issue 11): owned by the organisation that carries them out; a joint review's action is
  // read by the coordination team only where its owner shares it (`hub_sync_joint_actions`), never released.
  {
    type: 'improvement_action',
    ownSubject: 'ImprovementAction',
    sharedSubject: 'SharedImprovementAction',
    table: 'improvement_actions',
    alias: 'ia',
    ownerColumn: 'org_id',
    markingColumn: 'marking',
    sharedView: 'shared_improvement_actions',
    container: { type: 'joint_incident', column: 'joint_incident_id' },
    sharedFields: [
      'id', 'orgId', 'owner', 'source', 'kind', 'title', 'description', 'dueOn', 'marking', 'state', 'dropReason', 'doneAt',
      'shareWithCoordinator', 'evidence', 'exercise', 'overdue', 'version', 'createdAt', 'updatedAt',
    ],
    releasableFields: [],
    redactableFields: [],
    sortColumn: 'updated_at',
  },
] as const satisfies readonly ShareableType[];

export type Registered = (typeof SHAREABLE_TYPES)[number];
export type ShareableTypeName = Registered['type'];
export type OwnSubject = Registered['ownSubject'];
export type SharedSubject = Registered['sharedSubject'];

const BY_TYPE = new Map<string, ShareableType>(SHAREABLE_TYPES.map((t) => [t.type, t]));
const BY_SUBJECT = new Map<string, ShareableType>(SHAREABLE_TYPES.flatMap((t) => [[t.ownSubject, t], [t.sharedSubject, t]] as const));

/** The registered type by its name; an unregistered name is a programming error, never a guess. */
export function shareableType(type: string): ShareableType {
  const found = BY_TYPE.get(type);
  if (!found) throw new Error(`${type} is not a registered shareable type`);
  return found;
}

export function shareableTypeOfSubject(subject: string): ShareableType {
  const found = BY_SUBJECT.get(subject);
  if (!found) throw new Error(`${subject} is not a subject of a registered shareable type`);
  return found;
}

/** The types a container holds besides itself (an incident's observables), in registry order. */
export function containedTypes(containerType: string): ShareableType[] {
  return SHAREABLE_TYPES.filter((t) => t.container.type === containerType && t.type !== containerType);
}

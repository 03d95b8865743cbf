import { Foundation1763884800000 } from './1763884800000-foundation.js';
import { IncidentRegister1763971200000 } from './1763971200000-incident-register.js';
import { SessionPrincipal1764057600000 } from './1764057600000-session-principal.js';
import { SharingPolicy1764144000000 } from './1764144000000-sharing-policy.js';
import { Credentials1764230400000 } from './1764230400000-credentials.js';
import { KeyRingAndFieldGuard1764316800000 } from './1764316800000-key-ring-and-field-guard.js';
import { ShareableRegistry1764403200000 } from './1764403200000-shareable-registry.js';
import { LogChains1764489600000 } from './1764489600000-log-chains.js';
import { CoordinationAgreements1764576000000 } from './1764576000000-coordination-agreements.js';
import { JointIncidents1764662400000 } from './1764662400000-joint-incidents.js';
import { OnwardPass1764748800000 } from './1764748800000-onward-pass.js';
import { JointHardening1764835200000 } from './1764835200000-joint-hardening.js';
import { AccessViaIndex1764921600000 } from './1764921600000-access-via-index.js';
import { JointRowsOfOwnJoint1765094400000 } from './1765094400000-joint-rows-of-own-joint.js';
import { JointWorkspaceHooks1765267200000 } from './1765267200000-joint-workspace-hooks.js';
import { JointTasks1765353600000 } from './1765353600000-joint-tasks.js';
import { JointReview1765440000000 } from './1765440000000-joint-review.js';
import { ImprovementActions1765526400000 } from './1765526400000-improvement-actions.js';
import { IncidentExercises1765612800000 } from './1765612800000-incident-exercises.js';
import { OutboxHead1765699200000 } from './1765699200000-outbox-head.js';
import { JointGranteeMasking1765785600000 } from './1765785600000-joint-grantee-masking.js';
import { ExerciseIncidentActions1765800000000 } from './1765800000000-exercise-incident-actions.js';
import { ReviewHardening1765872000000 } from './1765872000000-review-hardening.js';
import { TaskHardening1765958400000 } from './1765958400000-task-hardening.js';
import { TaskListIndex1766044800000 } from './1766044800000-task-list-index.js';

/** Every migration, in order. Listed by hand so the build and the tests load the same classes. */
export const migrations = [
  Foundation1763884800000, IncidentRegister1763971200000, SessionPrincipal1764057600000, SharingPolicy1764144000000,
  Credentials1764230400000, KeyRingAndFieldGuard1764316800000, ShareableRegistry1764403200000,
  LogChains1764489600000,
  CoordinationAgreements1764576000000,
  JointIncidents1764662400000,
  OnwardPass1764748800000,
  JointHardening1764835200000,
  AccessViaIndex1764921600000,
  JointRowsOfOwnJoint1765094400000,
  JointWorkspaceHooks1765267200000,
  JointTasks1765353600000,
  JointReview1765440000000,
  ImprovementActions1765526400000,
  IncidentExercises1765612800000,
  OutboxHead1765699200000,
  JointGranteeMasking1765785600000,
  ExerciseIncidentActions1765800000000,
  ReviewHardening1765872000000,
  TaskHardening1765958400000,
  TaskListIndex1766044800000,
];

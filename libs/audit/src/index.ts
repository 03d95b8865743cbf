// The management log (DESIGN section 8): a hash chain per subject (an incident, a joint incident, an agreement).
export {
  canonicalJson,
  type ChainBreak,
  type ChainVerdict,
  entryHash,
  LOG_SUBJECT_TYPES,
  type LogEntry,
  type LogEntryInput,
  type LogSubject,
  type LogSubjectType,
  verifyChain,
} from './log-chain.js';
export {
  appendLog,
  grantLogWriter,
  type LogHead,
  logWriters,
  openLog,
  readableHead,
  readLog,
  revokeLogWriter,
  verifyLog,
} from './management-log.js';
export { CHECKPOINT_TYPE, type CheckpointClaims } from './checkpoints.js';
export { AuditErrorCode, AuditException } from './audit.exception.js';
export { LogService } from './log.service.js';
export { AuditModule } from './audit.module.js';
export { BrokenEntryView, ChainVerdictView, CheckpointView, LogEntryView, LogSubjectView } from './dto/log-view.dto.js';

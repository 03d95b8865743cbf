// The management log (DESIGN section 8): a hash chain per subject (an incident, a joint incident, an agreement).
export {
  canonicalJson,
  type ChainBreak,
  type ChainVerdict,
  entryHash,
  type LogEntry,
  type LogEntryInput,
  type LogSubject,
  LOG_SUBJECT_TYPES,
  type LogSubjectType,
  verifyChain,
} from './log-chain.js';
export { appendLog, readLog, verifyLog } from './management-log.js';

/**
 * Send state: the SQLite database in the state directory. Public API for other commands
 * (`roundup serve` records unsubscribes through `openState` + `suppress`).
 */
export { openState, migrate, DB_FILE, type StateDb } from './db.js';
export { stateDirOf, type StateDirChoice } from './dir.js';
export {
  suppress,
  unsuppress,
  isSuppressed,
  getSuppression,
  countSuppressions,
  type Suppression,
  type SuppressionReason,
} from './suppression.js';
export { acquireSendLock, isLockLive, pidAlive, type SendLock } from './lock.js';
export {
  STATUSES,
  SendLedger,
  countByStatus,
  ensureSend,
  findSend,
  listFailures,
  markFinished,
  recentSendMinutes,
  recoverInterrupted,
  requeueFailed,
  sendsForIssue,
  suppressQueued,
  syncRecipients,
  type FailureRow,
  type Outcome,
  type QueueRow,
  type RecipientStatus,
  type SendRow,
  type StatusCounts,
  type SyncResult,
} from './sends.js';

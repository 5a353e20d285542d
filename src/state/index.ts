/**
 * Send state: SQLite in the state directory, or PostgreSQL when ROUNDUP_DATABASE_URL or config
 * `database:` names one. Public API for other commands (`roundup serve` records unsubscribes
 * through `openStore` + `store.suppress`).
 */
export {
  openStore,
  lookAtState,
  stateLocation,
  checkDatabaseUrl,
  maskDatabaseUrl,
  DB_FILE,
  type StateChoice,
  type StateLocation,
  type StateLook,
} from './db.js';
export { stateDirOf, type StateDirChoice } from './dir.js';
export { DEFAULT_LEASE_MS, isWorkerLive, pidAlive } from './lease.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
export type { Sql, Dialect } from './sql.js';
export {
  STATUSES,
  Store,
  ListImport,
  type FailureRow,
  type Outcome,
  type QueueRow,
  type RecipientStatus,
  type Remaining,
  type SendLedger,
  type SendRow,
  type StatusCounts,
  type Suppression,
  type SuppressionReason,
  type SyncResult,
  type Worker,
  type WorkerInfo,
} from './store.js';

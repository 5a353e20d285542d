/**
 * Is a sending worker alive? Each worker holds a lease it renews by heartbeat; a lease not
 * renewed for `leaseMs` (default 30 s) has lapsed and the worker counts as dead, wherever it ran.
 * On the worker's own host we can tell sooner: a pid that is gone, a zombie (killed but not yet
 * reaped by its parent), or a pid reused by another process (its start time differs) is dead
 * at once, so `kill -9` followed by an immediate re-run just works.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const DEFAULT_LEASE_MS = 30_000;

export interface WorkerLiveness {
  host: string;
  pid: number;
  procStart: string | null;
  heartbeatAt: number;
  leaseMs: number;
  stoppedAt: string | null;
}

/** `/proc/<pid>/stat`: state letter and start time (clock ticks since boot), where /proc exists. */
export function procStat(pid: number): { state: string; start: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], start: rest[19] };
  } catch {
    return null;
  }
}

/** This process's start time, recorded with its lease so a reused pid is not mistaken for it. */
export function ownProcStart(): string | null {
  return procStat(process.pid)?.start ?? null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else: still alive.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  // A zombie has exited; only its exit status waits to be collected.
  return !(stat && (stat.state === 'Z' || stat.state === 'X'));
}

export function isWorkerLive(w: WorkerLiveness, dbNow: number, host = hostname()): boolean {
  if (w.stoppedAt) return false;
  if (dbNow - w.heartbeatAt > w.leaseMs) return false;
  // Another machine sharing the database: only the lease can tell.
  if (w.host !== host) return true;
  if (!pidAlive(w.pid)) return false;
  if (w.procStart) {
    const now = procStat(w.pid)?.start;
    if (now && now !== w.procStart) return false;
  }
  return true;
}

/** `roundup status`: where each send of an issue stands, from the state database alone. */
import type { FailureRow, StatusCounts, Store, WorkerInfo } from '../state/store.js';
import { visible } from '../visible.js';
import { type BounceCounts, bounceCounts } from '../state/bounces.js';

export interface SendStatus {
  issue: string;
  list: string;
  subject: string | null;
  counts: StatusCounts;
  /** The first live sender, if any (kept for scripts that read `running.pid`). */
  running: { pid: number; host: string; startedAt: string } | null;
  /** Every sender (host, pid) that has worked on this send, with what it sent. */
  workers: WorkerInfo[];
  finishedAt: string | null;
  failures: FailureRow[];
  /** From `roundup bounces scan`: distinct readers per kind, and complaints per message sent. */
  bounces: BounceCounts & { complaintRate: number; complaintRateHigh: boolean };
}

/** Gmail's and Yahoo's bulk-sender limit: keep complaints under 0.3% of messages delivered. */
export const COMPLAINT_RATE_LIMIT = 0.003;

export async function readStatus(store: Store, issue: string, list?: string): Promise<SendStatus[]> {
  const out: SendStatus[] = [];
  for (const s of await store.sendsForIssue(issue)) {
    if (list !== undefined && s.list !== list) continue;
    const workers = await store.workers(s.id);
    const live = workers.find((w) => w.live);
    out.push({
      issue: s.issue,
      list: s.list,
      subject: s.subject,
      counts: await store.countByStatus(s.id),
      running: live ? { pid: live.pid, host: live.host, startedAt: live.startedAt } : null,
      workers,
      finishedAt: s.finishedAt,
      failures: await store.listFailures(s.id),
      bounces: withRate(await bounceCounts(store, s.id), (await store.countByStatus(s.id)).sent),
    });
  }
  return out;
}

function withRate(b: BounceCounts, sent: number): SendStatus['bounces'] {
  const complaintRate = sent ? b.complaints / sent : 0;
  return { ...b, complaintRate, complaintRateHigh: complaintRate > COMPLAINT_RATE_LIMIT };
}

export function formatStatus(statuses: readonly SendStatus[], limit = 50): string[] {
  const out: string[] = [];
  for (const s of statuses) {
    const c = s.counts;
    const live = s.workers.filter((w) => w.live);
    const state = live.length
      ? `sending now (${live.map((w) => `process ${w.pid} on ${w.host}, since ${w.startedAt}`).join('; ')})`
      : c.queued + c.sending === 0 && c.total > 0
        ? `finished${s.finishedAt ? ` ${s.finishedAt}` : ''}`
        : c.sent + c.failed + c.sending === 0
          ? `not started: ${c.queued} queued`
          : 'stopped before the end: run the same send command to resume';
    out.push(`${visible(s.issue)} → ${visible(s.list)}: ${state}`);
    out.push(
      `  ${c.sent} sent, ${c.failed} failed, ${c.suppressed} suppressed, ${c.queued} queued, ${c.sending} sending` +
        ` (of ${c.total})${c.possibleDuplicates ? `; ${c.possibleDuplicates} possible duplicates re-sent after interruptions` : ''}`,
    );
    const busy = s.workers.filter((w) => w.sent + w.failed > 0 || w.live);
    if (busy.length) out.push(`  senders: ${formatWorkers(busy)}`);
    const b = s.bounces;
    if (b.hard + b.soft + b.complaints + b.unsubscribes > 0) {
      const rep = Object.entries(b.reputationReasons)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ');
      out.push(
        `  bounces: ${b.hard} hard, ${b.soft} soft${b.reputation ? ` (${b.reputation} about the sender's reputation or authentication: ${rep})` : ''}; ` +
          `${b.complaints} complaint${b.complaints === 1 ? '' : 's'} (${(b.complaintRate * 100).toFixed(2)}% of sent)` +
          `${b.unsubscribes ? `; ${b.unsubscribes} unsubscribed by mail` : ''}`,
      );
      if (b.complaintRateHigh) {
        out.push(
          `  warning: complaint rate ${(b.complaintRate * 100).toFixed(2)}% is above 0.3%: Gmail and Yahoo start filtering or rejecting bulk mail above it`,
        );
      }
      if (b.reputation)
        out.push(
          "  note: reputation bounces say more about the sender than the readers: check DKIM/SPF/DMARC and the sending IP's blocklist status",
        );
    }
    for (const f of s.failures.slice(0, limit)) {
      out.push(
        `  failed ${visible(f.email)}${f.line ? ` (list line ${f.line})` : ''} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${visible(f.lastResponse ?? '?')}`,
      );
    }
    if (s.failures.length > limit) out.push(`  … and ${s.failures.length - limit} more failures (--json lists them all)`);
  }
  return out;
}

/** "host pid 123: 500 sent (this one); other pid 9: 480 sent, 2 failed (sending)" */
export function formatWorkers(workers: readonly WorkerInfo[], self?: string): string {
  return workers
    .map(
      (w) =>
        `${visible(w.host)} pid ${w.pid}: ${w.sent} sent${w.failed ? `, ${w.failed} failed` : ''}` +
        (w.id === self ? ' (this one)' : w.live ? ' (sending)' : ''),
    )
    .join('; ');
}

/**
 * Send progress: a bar with count, rate and ETA on a terminal; on anything else (CI logs,
 * a pipe) one plain line every few seconds. Counts only what the state database has recorded.
 */
import { mask } from '../mask.js';
import { visible } from '../visible.js';

export interface ProgressCounts {
  done: number;
  failed: number;
}

export interface Progress {
  update(c: ProgressCounts): void;
  /** A notable event (a retry, a reconnect), printed above the bar. */
  note(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Messages this run expects to finish (sent + failed). */
  total: number;
  stream: NodeJS.WriteStream;
  tty?: boolean;
  intervalMs?: number;
  /** Show notes (retries…) as they happen; otherwise they are counted in the summary only. */
  verbose?: boolean;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export async function createProgress(opts: ProgressOptions): Promise<Progress> {
  const stream = opts.stream;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const started = Date.now();
  let counts: ProgressCounts = { done: 0, failed: 0 };
  const rate = () => counts.done / Math.max(0.001, (Date.now() - started) / 1000);
  const eta = () => (counts.done > 0 ? (opts.total - counts.done) / rate() : NaN);

  if (tty) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: ' {bar} {value}/{total} | {rate}/s | ETA {etaText} | {failed} failed',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { rate: '0', etaText: '?', failed: 0 });
    return {
      update(c) {
        counts = c;
        bar.update(c.done, { rate: rate().toFixed(0), etaText: formatDuration(eta()), failed: c.failed });
      },
      note(line) {
        if (!opts.verbose) return;
        // Clear the bar's line, print, let the bar redraw below.
        stream.write(`\r\x1b[K${mask(visible(line))}\n`);
      },
      stop() {
        bar.update(counts.done, { rate: rate().toFixed(0), etaText: '0s', failed: counts.failed });
        bar.stop();
      },
    };
  }

  const line = () => {
    const pct = opts.total ? Math.floor((counts.done / opts.total) * 100) : 100;
    stream.write(
      `sent ${counts.done}/${opts.total} (${pct}%), ${rate().toFixed(0)}/s, ${counts.failed} failed, ETA ${formatDuration(eta())}\n`,
    );
  };
  const timer = setInterval(line, opts.intervalMs ?? 5_000);
  timer.unref();
  return {
    update(c) {
      counts = c;
    },
    note(l) {
      if (opts.verbose) stream.write(mask(visible(l)) + '\n');
    },
    stop() {
      clearInterval(timer);
      if (Date.now() - started >= (opts.intervalMs ?? 5_000)) line();
    },
  };
}

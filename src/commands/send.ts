/**
 * `roundup send <issue> --list L [...]`. The terminal side of sending: Ctrl-C handling and the
 * confirmation prompt; the work is in src/send/run.ts.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Environment } from '../env.js';
import { runSend, type SendOptions } from '../send/run.js';
import type { Terminal } from '../terminal.js';

export interface SendArgs extends SendOptions {
  /** Issue file or slug. */
  issue: string;
}

export async function run(args: SendArgs, terminal: Terminal, env: Environment): Promise<void> {
  const { issue, ...opts } = args;
  // First Ctrl-C: stop starting messages, finish and record the ones in flight.
  // Second: leave now (the state database already says who might have been mid-send).
  const ctrl = new AbortController();
  let interrupts = 0;
  const off = terminal.onInterrupt(() => {
    if (++interrupts === 1) {
      terminal.err('\nstopping: finishing the messages in flight (Ctrl-C again to quit at once)');
      ctrl.abort();
    } else terminal.exit(130);
  });
  const stopCollecting = collectOnGrowth();
  try {
    await runSend(
      issue,
      opts,
      {
        out: terminal.out,
        err: terminal.err,
        confirm: (q) => terminal.confirm(q, ctrl.signal),
        interactive: terminal.interactive,
        signal: ctrl.signal,
        progressStream: terminal.progressStream,
      },
      env,
    );
  } finally {
    stopCollecting();
    off();
  }
}

/** How often the heap is looked at, and how much it may grow before a full collection. */
const GC_CHECK_MS = 250;
const GC_SLACK_BYTES = 8 * 1048576;

/**
 * Memory that does not grow with the list. The live heap of a send is flat (one page of
 * readers, the messages in flight), but V8 lets its old generation grow lazily between full
 * collections, so peak RSS rose with the length of the send (185 MB at 20k readers, 282 MB at
 * 100k). So the send collects fully whenever the heap V8 has committed has grown 8 MB since
 * the last collection. A collection every second did the same for memory but cost a quarter
 * of the send's CPU (the whole heap, MJML included, marked each time); collecting on growth
 * costs almost nothing, and needs no hard heap limit (--max-old-space-size) that would crash a
 * large list import. If the runtime refuses the flag, the send simply goes on without it.
 */
function collectOnGrowth(): () => void {
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
  let floor = getHeapStatistics().total_heap_size;
  const timer = setInterval(() => {
    if (getHeapStatistics().total_heap_size < floor + GC_SLACK_BYTES) return;
    gc?.();
    floor = getHeapStatistics().total_heap_size;
  }, GC_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `roundup send <issue> --list L [...]`. The terminal side of sending: Ctrl-C handling and the
 * confirmation prompt; the work is in src/send/run.ts.
 */
import type { Environment } from '../env.js';
import { collectOnGrowth } from '../memory.js';
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
  // Memory that does not grow with the list (src/memory.ts).
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

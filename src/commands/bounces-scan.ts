/** `roundup bounces scan`: read returned mail and keep the lists clean (src/bounces). */
import { runBouncesScan } from '../bounces/command.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import type { Terminal } from '../terminal.js';

export interface BouncesScanArgs {
  /** `-`: one message on stdin. */
  source?: string;
  imap?: string;
  maildir?: string;
  mbox?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function run(args: BouncesScanArgs, terminal: Terminal, env: Environment): Promise<void> {
  const { source, ...opts } = args;
  if (source !== undefined && source !== '-') {
    throw new RoundupError(
      ErrorCodes.USAGE,
      `unexpected "${source}": give --maildir DIR, --mbox FILE, --imap URL, or - for one message on stdin`,
    );
  }
  await runBouncesScan({ ...opts, stdin: source === '-' }, { out: (s) => terminal.out(s), stdin: process.stdin }, env);
}

/** `roundup lists check <list>`: counts, invalid rows with line numbers, duplicates; exit 1 on invalid rows. */
import type { Environment } from '../env.js';
import { formatListReport, readList } from '../lists/index.js';
import type { Terminal } from '../terminal.js';

export interface ListsCheckArgs {
  list: string;
}

export async function run(args: ListsCheckArgs, terminal: Terminal, env: Environment): Promise<void> {
  const parsed = readList(args.list, env.root);
  terminal.out(formatListReport(parsed).join('\n'));
  // Invalid rows would silently shrink a send: make them fail a scripted check.
  if (parsed.invalid.length) process.exitCode = 1;
}

/**
 * A command run in-process, through the same table the CLI uses (src/commands/index.ts), with a
 * terminal that records lines and an environment built from `vars` as src/env.ts builds it. A
 * user mistake rejects with the RoundupError the CLI would print (`.format()` is its line).
 */
import { Command } from 'commander';
import { registerAll } from '../../src/commands/index.js';
import { readEnvironment } from '../../src/env.js';
import type { Terminal } from '../../src/terminal.js';

export function recordingTerminal() {
  const out: string[] = [];
  const err: string[] = [];
  const terminal: Terminal = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    colour: false,
    errColour: false,
    interactive: false,
    progressStream: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream,
    confirm: async () => false,
    onInterrupt: () => () => {},
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { terminal, out, err };
}

export async function roundup(argv: string[], root: string, vars: Record<string, string | undefined> = {}) {
  const t = recordingTerminal();
  const program = new Command('roundup').exitOverride();
  registerAll(program, t.terminal, readEnvironment(vars, root));
  await program.parseAsync(argv, { from: 'user' });
  return t;
}

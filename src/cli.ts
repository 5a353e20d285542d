/**
 * The `roundup` command line. The only place that reads the process environment and calls
 * process.exit: it resolves the environment once (src/env.ts, with .env), makes the terminal
 * (src/terminal.ts) and hands both to the command (src/commands/index.ts lists them all).
 * Library code throws RoundupError, and this file turns it into one `file:line: message`
 * line on stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerAll } from './commands/index.js';
import { loadDotenv, readEnvironment } from './env.js';
import { fromFsError, isRoundupError } from './errors.js';
import { processTerminal } from './terminal.js';

const DEBUG = /(^|,)\s*roundup\s*(,|$)/.test(process.env.DEBUG ?? '');

export function buildProgram(vars: Record<string, string | undefined> = { ...process.env }): Command {
  const program = new Command('roundup')
    .description('Markdown newsletters rendered with MJML and sent over SMTP')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAll(program, processTerminal(vars), readEnvironment(vars, process.cwd()));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const vars = { ...process.env };
  loadDotenv('.env', vars);
  const program = buildProgram(vars);
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (process.exitCode === undefined) process.exitCode = 0;
  } catch (e) {
    process.exit(reportError(e));
  }
}

/** Print an error the way an editor should see it; return the exit status. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander already printed usage/help/version text.
    return e.exitCode;
  }
  const known = isRoundupError(e) ? e : fromFsError(e);
  if (known) {
    process.stderr.write(`roundup: ${known.format()}\n`);
    if (DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return known.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`roundup: internal error: ${msg}${DEBUG ? '' : ' (set DEBUG=roundup for details)'}\n`);
  if (DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  return 2;
}

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
import { addSecretsFrom, mask } from './mask.js';
import { processTerminal } from './terminal.js';
import { visibleLines } from './visible.js';

const DEBUG = /(^|,)\s*roundup\s*(,|$)/.test(process.env.DEBUG ?? '');

export function buildProgram(vars: Record<string, string | undefined> = { ...process.env }): Command {
  const program = new Command('roundup')
    .description('Markdown newsletters rendered with MJML and sent over SMTP')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Commander echoes arguments in its own errors ("unknown option 'smtp://…'"): masked too.
    .configureOutput({
      writeOut: (str) => process.stdout.write(mask(str)),
      writeErr: (str) => process.stderr.write(mask(visibleLines(str))),
    })
    .exitOverride();
  registerAll(program, processTerminal(vars), readEnvironment(vars, process.cwd()));
  return program;
}

/**
 * A reader of our output that goes away (`roundup status | head -3`) closes the pipe. Node then
 * raises EPIPE as an unhandled 'error' event, which would crash the command mid-work: a send
 * stopped between a reader's "sending" and "sent". Output nobody reads is dropped instead, and
 * the command finishes what it was doing.
 */
function dropOutputToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  dropOutputToClosedPipes();
  const vars = { ...process.env };
  loadDotenv('.env', vars);
  // A credential URL typed where a file or slug belongs ("roundup check smtp://user:pass@host")
  // is echoed by the error about it: its password is registered now and masked in every line.
  for (const arg of argv) addSecretsFrom(arg);
  addSecretsFrom(vars.SMTP_URL);
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
  // Every line here may echo an argument or a file's text: credentials masked, control
  // characters shown rather than obeyed (src/visible.ts).
  const write = (line: string) => process.stderr.write(`${mask(visibleLines(line))}\n`);
  if (known) {
    write(`roundup: ${known.format()}`);
    if (DEBUG && e instanceof Error && e.stack) write(e.stack);
    return known.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  write(`roundup: internal error: ${msg}${DEBUG ? '' : ' (set DEBUG=roundup for details)'}`);
  if (DEBUG && e instanceof Error && e.stack) write(e.stack);
  return 2;
}

/**
 * The `roundup` command line. The only place that calls process.exit: library code throws
 * RoundupError, and this file turns it into one `file:line: message` line on stderr.
 *
 * Each command's implementation is imported lazily so `roundup build` does not pay for
 * loading the SMTP, SQLite or browser modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { parse as parseDotenv } from 'dotenv';
import { registerAll } from './commands/index.js';
import { fromFsError, isRoundupError } from './errors.js';

const DEBUG = /(^|,)\s*roundup\s*(,|$)/.test(process.env.DEBUG ?? '');

export function buildProgram(): Command {
  const program = new Command('roundup')
    .description('Markdown newsletters rendered with MJML and sent over SMTP')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('build')
    .description('render issues/*.md (or the given files) to dist/<slug>/index.html and index.txt')
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--out <dir>', 'output folder', 'dist')
    .option('--strict', 'exit 1 when the preflight finds errors (for CI)')
    .action(async (files: string[], opts: { out: string; strict?: boolean }) => {
      const { runBuild } = await import('./commands/build.js');
      return runBuild(files, opts);
    });

  registerAll(program);
  return program;
}

/**
 * `.env` in the project folder fills variables the environment does not set (SMTP_URL,
 * ROUNDUP_SECRET, ROUNDUP_STATE_DIR…), for every command alike: `send` and `serve` must agree
 * on the signing secret, `send` and `unsubscribe` on the state directory.
 */
export function loadDotenv(file = '.env', env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(file)) return;
  for (const [key, value] of Object.entries(parseDotenv(readFileSync(file)))) {
    // An empty variable counts as unset (CI systems often define them empty).
    if (!env[key]) env[key] = value;
  }
}

export async function main(argv: string[]): Promise<void> {
  loadDotenv();
  const program = buildProgram();
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

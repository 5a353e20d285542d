/**
 * Drafting and publishing commands: `new` (scaffold next month's issue), `archive` (the public
 * web archive and feeds) and `serve` (one-click unsubscribe endpoint, optionally the archive).
 * Implementations load lazily, inside the actions.
 */
import { untilStopped } from '../until-stopped.js';
import type { Command } from 'commander';
import { ErrorCodes, RoundupError } from '../errors.js';

function portOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) {
    throw new RoundupError(ErrorCodes.USAGE, `--port "${value}" is not a port number (0–65535)`);
  }
  return n;
}

export function registerPublishCommands(program: Command): void {
  program
    .command('new')
    .description('start an issue: issues/<YYYY-MM>.md from templates/scaffold.md (default: next month); never overwrites')
    .option('--date <YYYY-MM>', 'month of the issue (default: next month)')
    .option('--template <name>', 'layout in templates/ (roundup or digest)', 'roundup')
    .option('--title <text>', "newsletter name (default: the latest issue's, else config title)")
    .action(async (opts: { date?: string; template: string; title?: string }) => {
      const path = await import('node:path');
      const { createIssue } = await import('../publish/new-issue.js');
      const file = createIssue(opts);
      const shown = path.relative(process.cwd(), file) || file;
      process.stdout.write(`created ${shown}: replace every TODO (roundup check ${shown} lists what is left)\n`);
    });

  program
    .command('archive')
    .description('build the web archive (index, one page per issue, RSS and Atom feeds) for config siteUrl; drafts left out')
    .option('--out <dir>', 'output folder (replaced on each build)', 'dist/archive')
    .action(async (opts: { out: string }) => {
      const path = await import('node:path');
      const { buildArchive } = await import('../publish/archive.js');
      const r = await buildArchive({ out: opts.out });
      const shown = path.relative(process.cwd(), r.out) || r.out;
      const drafts = r.drafts.length ? `; left out ${r.drafts.length} draft(s): ${r.drafts.join(', ')}` : '';
      process.stdout.write(`archive: ${r.entries.length} issue(s), index and feeds in ${shown}/${drafts}\n`);
    });

  program
    .command('serve')
    .description('one-click unsubscribe endpoint (/u/<token>) for a reverse proxy; optionally serves the archive')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--archive [dir]', 'also serve a built archive (default dir: dist/archive)')
    .action(async (opts: { port: string; host: string; archive?: string | boolean }) => {
      const { startServe } = await import('../publish/serve.js');
      const archive = opts.archive === true ? 'dist/archive' : opts.archive || undefined;
      const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      const running = await startServe({ port: portOf(opts.port), host: opts.host, archive, log });
      process.stdout.write(
        `roundup serve: listening on ${running.url}${archive ? ` (archive: ${archive})` : ''}; unsubscribes recorded in ${running.state}; Ctrl-C to stop\n`,
      );
      await untilStopped(() => running.close());
    });
}

/**
 * `roundup preview [file] [--port N] [--shots] [--out DIR]` and `roundup check [files…] [--json]`.
 * Implementations load lazily: the browser, caniemail and the watcher cost start-up time that
 * `roundup build` should not pay.
 */
import type { Command } from 'commander';

export function registerPreviewCommands(program: Command): void {
  program
    .command('check')
    .description(
      'preflight issues/*.md (or the given files): broken links, missing alt text, unknown fields, size, client support, accessibility',
    )
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--json', 'print machine-readable results on stdout')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { runCheckCommand } = await import('../check/command.js');
      return runCheckCommand(files, { json: Boolean(opts.json) });
    });

  program
    .command('preview')
    .description('live preview server on 127.0.0.1 (desktop, phone, dark mode, plain text), or --shots to write screenshots')
    .argument('[file]', 'open this issue (default: the index of all issues)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '4321')
    .option('--shots', 'write PNG screenshots (375/600 px, light/dark) with Chromium instead of serving')
    .option('--out <dir>', 'screenshot folder (with --shots)', 'shots')
    .action(async (file: string | undefined, opts: { port: string; shots?: boolean; out: string }) => {
      if (opts.shots) {
        const { runShots } = await import('../preview/shots-command.js');
        return runShots(file ? [file] : [], { out: opts.out });
      }
      const { runPreview } = await import('../preview/command.js');
      return runPreview(file, { port: opts.port });
    });
}

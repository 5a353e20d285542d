/** `roundup bounces scan`: read returned mail and keep the lists clean (src/bounces). */
import type { Command } from 'commander';

export function registerBouncesCommands(program: Command): void {
  const bounces = program.command('bounces').description('bounces, complaints and mailto: unsubscribes sent to config bounces.address');
  bounces
    .command('scan')
    .description('classify returned mail, match it to its send and reader, record it and suppress per config bounces')
    .argument('[source]', '"-" to read one message from stdin (for an MTA alias)')
    .option('--imap <url>', 'an IMAP mailbox, imaps://user:password@host/INBOX; processed messages move to config bounces.imapFolder')
    .option('--maildir <dir>', 'a Maildir; processed messages move from new/ to cur/')
    .option('--mbox <file>', 'an mbox file (read only)')
    .option('--dry-run', 'classify and match only: record nothing, move nothing')
    .option('--json', 'machine-readable output')
    .action(
      async (source: string | undefined, opts: { imap?: string; maildir?: string; mbox?: string; dryRun?: boolean; json?: boolean }) => {
        const { ErrorCodes, RoundupError } = await import('../errors.js');
        if (source !== undefined && source !== '-') {
          throw new RoundupError(ErrorCodes.USAGE, `unexpected "${source}": use --maildir, --mbox, --imap, or - for stdin`);
        }
        const { runBouncesScan } = await import('../bounces/command.js');
        await runBouncesScan({ ...opts, stdin: source === '-' }, { out: (s) => process.stdout.write(s), stdin: process.stdin });
      },
    );
}

/**
 * System parts some tests need (PostgreSQL, Dovecot, Chromium, Postfix, SpamAssassin).
 *
 * On a laptop without one, the tests that need it skip with a visible line saying what to
 * install. In CI (`ROUNDUP_REQUIRE_ALL_PARTS=1`, set by .ci/run) a missing part fails the run
 * instead: a green CI must never mean "skipped".
 *
 *   const hasDovecot = part('Dovecot', commandExists('/usr/sbin/dovecot'), 'apt-get install dovecot-imapd');
 *   describe.skipIf(!hasDovecot)('bounces scan --imap', () => { … });
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function commandExists(cmd: string): boolean {
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, cmd));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function part(name: string, found: boolean, install: string): boolean {
  if (found) return true;
  if (process.env.ROUNDUP_REQUIRE_ALL_PARTS === '1') {
    throw new Error(`${name} is required here (ROUNDUP_REQUIRE_ALL_PARTS=1) but was not found: ${install}`);
  }
  process.stderr.write(`\n  SKIPPED: tests that need ${name} (not installed: ${install})\n\n`);
  return false;
}

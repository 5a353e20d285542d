/**
 * A real Dovecot IMAP server for tests (Debian `dovecot-imapd`): started as a plain child
 * process with a generated config on a random loopback port, one passwd-file user and a
 * temporary Maildir; stopped (and its files removed) by `stop()`.
 *
 *   const hasDovecot = part('Dovecot', commandExists(DOVECOT), 'apt-get install dovecot-imapd');
 *   const d = await startDovecot();  // d.url('INBOX') → imap://bounces:…@127.0.0.1:PORT/INBOX
 *
 * As root, Dovecot refuses uid 0 for mail and needs its unprivileged users: mail runs as the
 * package's `dovecot` user. As a normal user everything runs as that user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  /** The user's Maildir (INBOX; other folders are .Name/ inside it). */
  maildir: string;
  url(mailbox?: string): string;
  /** Dovecot's log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function idsOf(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}):\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not listen on ${port} within ${ms} ms:\n${log()}`);
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'roundup-dovecot-'));
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const mailIds = root ? idsOf('dovecot') : { uid: me.uid, gid: me.gid };
  if (!mailIds) throw new Error('running as root but there is no "dovecot" user (apt-get install dovecot-imapd creates it)');
  const internalUser = root ? 'dovecot' : me.username;
  const loginUser = root ? (idsOf('dovenull') ? 'dovenull' : 'dovecot') : me.username;
  const user = 'bounces';
  const pass = randomBytes(9).toString('base64url');
  const maildir = path.join(dir, 'Maildir');
  for (const d of ['run', 'state', 'home', 'Maildir/new', 'Maildir/cur', 'Maildir/tmp']) mkdirSync(path.join(dir, d), { recursive: true });
  writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${pass}::::::\n`);
  if (root) {
    // Dovecot's own users must reach the passwd file and the mail folders.
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, 'passwd'), 0o644);
    for (const d of ['home', 'Maildir', 'Maildir/new', 'Maildir/cur', 'Maildir/tmp'])
      chownSync(path.join(dir, d), mailIds.uid, mailIds.gid);
  }
  const port = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${maildir}
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = ${Math.min(mailIds.uid, 500)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailIds.uid} gid=${mailIds.gid} home=${dir}/home
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const log = () => {
    try {
      return readFileSync(path.join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return '(no log)';
    }
  };
  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  try {
    await waitForPort(port, child, () => `${stderr}${log()}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    user,
    pass,
    maildir,
    url: (mailbox = 'INBOX') => `imap://${user}:${encodeURIComponent(pass)}@127.0.0.1:${port}/${encodeURIComponent(mailbox)}`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

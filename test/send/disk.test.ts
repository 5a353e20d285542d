/**
 * The state database's own failures, through the real CLI: a disk that fills up mid-send, a
 * disk already full at start, and a database another process keeps locked. Each must end in
 * one line that says what happened (exit 1, never "internal error" and exit 2), and nothing may
 * be lost: the next run delivers every reader, duplicates only with the same Message-ID.
 *
 * The full-disk tests put the state directory on a small tmpfs, which needs root (CAP_SYS_ADMIN);
 * where mounting is not allowed they skip with a visible line.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/project.js';
import { copiesByReader, makeSendProject, readersCsv, startSmtp, type SendProject, type TestSmtp } from './helpers.js';

function cli(p: SendProject, args: string[], stateDir = p.stateDir) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: p.root,
    env: { ...process.env, ROUNDUP_STATE_DIR: stateDir, DEBUG: '', NO_COLOR: '1', SMTP_URL: '', ROUNDUP_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

const sendArgs = (smtp: TestSmtp) => ['send', 'bulletin', '--list', 'readers', '--yes', '--smtp', smtp.url, '--rate', '0'];

let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

/** A 16 MB tmpfs (room for SQLite's write-ahead log once the filler is gone), or null where this process may not mount one. */
function mountSmallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'roundup-smalldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return dir;
}

let disk: string | null = null;
beforeAll(() => {
  disk = mountSmallDisk();
  if (!disk) process.stderr.write('\n  SKIPPED: full-disk tests (mounting a small tmpfs needs root with CAP_SYS_ADMIN)\n\n');
});
afterAll(() => {
  if (disk) spawnSync('umount', [disk]);
});

/** Take every free byte of the small disk; returns a function that gives it back. */
function fill(dir: string): () => void {
  const filler = path.join(dir, 'filler');
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(`${filler}-${i}`, chunk);
    } catch {
      break;
    }
  }
  return () => {
    for (let i = 0; ; i++) {
      try {
        rmSync(`${filler}-${i}`);
      } catch {
        break;
      }
    }
  };
}

describe('state database failures (real CLI)', () => {
  it('a disk that fills up mid-send: one line saying nothing was lost (exit 1), and the next run finishes the list', async (ctx) => {
    if (!disk) return ctx.skip();
    const N = 300;
    const p = makeSendProject({ csv: readersCsv(N), send: { concurrency: 2, timeout: 60_000 } });
    const stateDir = path.join(disk, 'midsend');
    mkdirSync(stateDir);
    let free: (() => void) | undefined;
    let seen = 0;
    smtp = await startSmtp({
      onData: () => {
        if (++seen === 40) free = fill(disk!);
        return 'accept';
      },
    });
    const first = await cli(p, sendArgs(smtp), stateDir);
    free?.();
    expect(first.code, first.stderr).toBe(1);
    const lines = first.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('roundup:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the disk is full.*nothing was lost: run the same command to resume/);
    expect(first.stderr).not.toMatch(/internal error|\n\s+at /);

    const second = await cli(p, sendArgs(smtp), stateDir);
    expect(second.code, second.stderr).toBe(0);
    const copies = copiesByReader(smtp.messages);
    expect(copies.size).toBe(N);
    for (const [, ids] of copies) expect(new Set(ids).size).toBe(1);
  }, 120_000);

  it('a disk already full at start is one line, not an internal error', async (ctx) => {
    if (!disk) return ctx.skip();
    const p = makeSendProject({ csv: readersCsv(5) });
    const stateDir = path.join(disk, 'atstart');
    mkdirSync(stateDir);
    const free = fill(disk);
    try {
      smtp = await startSmtp();
      const r = await cli(p, sendArgs(smtp), stateDir);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^roundup: .*(disk is full|no space)/i);
      expect(smtp.messages).toHaveLength(0);
    } finally {
      free();
    }
  }, 60_000);

  it('a database another process keeps locked is one line after waiting 5 s, not an internal error', async () => {
    const p = makeSendProject({ csv: readersCsv(5) });
    smtp = await startSmtp();
    // A first send creates the database; then another connection holds its write lock.
    expect((await cli(p, sendArgs(smtp))).code).toBe(0);
    writeFileSync(p.listFile, readersCsv(6));
    const holder = new Database(path.join(p.stateDir, 'roundup.db'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const r = await cli(p, sendArgs(smtp));
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^roundup: .*roundup\.db: the send state database is locked by another process \(waited 5 s\)/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(smtp.messages).toHaveLength(5);
  }, 60_000);
});

/**
 * A PostgreSQL URL that does not work is one line naming where it was given: the environment
 * variable (or .env), config `database:` at its line, or `db copy --to`; the password masked.
 * The server is 127.0.0.1:9 (nothing listens there), so no PostgreSQL is needed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isRoundupError } from '../../src/errors.js';
import { roundup } from '../helpers/commands.js';
import { makeSendProject, readersCsv } from '../send/helpers.js';

const DOWN = 'postgres://roundup:secretpw@127.0.0.1:9/news';

/** The one line the CLI would print for what `argv` throws. */
async function failure(argv: string[], root: string, vars: Record<string, string> = {}): Promise<string> {
  const e = await roundup(argv, root, vars).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isRoundupError(e)) throw new Error(`expected a RoundupError, got ${String(e)}`);
  const line = e.format();
  expect(line.split('\n')).toHaveLength(1);
  expect(line).not.toContain('secretpw');
  return line;
}

/** A project whose config says `database: <url>`; returns it and the line of that key. */
function withConfigDatabase(url: string): { root: string; stateDir: string; line: number } {
  const p = makeSendProject({ csv: readersCsv(1) });
  const cfg = path.join(p.root, 'roundup.config.yaml');
  const doc = parseDocument(readFileSync(cfg, 'utf8'));
  doc.set('database', url);
  writeFileSync(cfg, doc.toString());
  const line =
    readFileSync(cfg, 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('database:')) + 1;
  expect(line).toBeGreaterThan(1);
  return { ...p, line };
}

describe('where a PostgreSQL URL came from', () => {
  it('from the environment (or .env): the message names ROUNDUP_DATABASE_URL, at the masked URL', async () => {
    const { root } = makeSendProject({ csv: readersCsv(1) });
    const line = await failure(['db', 'status'], root, { ROUNDUP_DATABASE_URL: DOWN });
    expect(line).toBe(
      'postgres://roundup:****@127.0.0.1:9/news: cannot reach the PostgreSQL server (ECONNREFUSED): is it running, and is the host/port in ROUNDUP_DATABASE_URL right?',
    );
  });

  it('from config database: located at its line, naming the server (masked) and the key, never the environment variable', async () => {
    const p = withConfigDatabase(DOWN);
    for (const argv of [
      ['db', 'status'],
      ['status', 'bulletin'],
      ['unsubscribe', 'a@example.net'],
    ]) {
      const line = await failure(argv, p.root);
      expect(line).toMatch(
        new RegExp(
          `roundup\\.config\\.yaml:${p.line}: cannot reach the PostgreSQL server at postgres://roundup:\\*\\*\\*\\*@127\\.0\\.0\\.1:9/news \\(ECONNREFUSED\\): is it running, and is the host/port in "database" right\\?$`,
        ),
      );
      expect(line).not.toContain('ROUNDUP_DATABASE_URL');
    }
  });

  it('from config database: a URL that does not parse is refused at its line', async () => {
    const p = withConfigDatabase('postgres://u:secretpw@[bad/db');
    expect(await failure(['db', 'status'], p.root)).toMatch(new RegExp(`roundup\\.config\\.yaml:${p.line}: "database" is not a URL`));
  });

  it('from db copy --to: the message names --to, whatever the project itself uses', async () => {
    const { root, stateDir } = makeSendProject({ csv: readersCsv(1) });
    // Something to copy (with nothing, db copy says so without contacting the target).
    await roundup(['unsubscribe', 'someone@example.net'], root, { ROUNDUP_STATE_DIR: stateDir });
    const line = await failure(['db', 'copy', '--to', DOWN], root, { ROUNDUP_STATE_DIR: stateDir });
    expect(line).toBe(
      'postgres://roundup:****@127.0.0.1:9/news: cannot reach the PostgreSQL server (ECONNREFUSED): is it running, and is the host/port in --to right?',
    );
    const bad = await failure(['db', 'copy', '--to', 'mysql://u:secretpw@h/db'], root, { ROUNDUP_STATE_DIR: stateDir });
    expect(bad).toBe('--to must be a postgres:// or postgresql:// URL (got mysql://…)');
  });
});

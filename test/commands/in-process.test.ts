/**
 * The command layer without a child process: a command is `run(args, terminal, env)`, so a test
 * gives it a terminal that records lines and an environment, and calls it through the same table
 * the CLI uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { roundup } from '../helpers/commands.js';
import { makeProject } from '../helpers/project.js';

describe('commands in-process', () => {
  it('lists check writes its report to the terminal it is given', async () => {
    const root = makeProject();
    const { out, err } = await roundup(['lists', 'check', 'example'], root);
    expect(out.join('\n')).toMatch(/lists\/example\.csv: \d+ rows, \d+ readers to send to \(0 invalid/);
    expect(err).toEqual([]);
  });

  it('unsubscribe uses the state directory from the environment, not the process', async () => {
    const root = makeProject();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'roundup-inproc-'));
    const vars = { ROUNDUP_STATE_DIR: stateDir };
    expect((await roundup(['unsubscribe', 'Ann@Example.net'], root, vars)).out).toEqual([
      'Ann@Example.net suppressed: no list will mail it again',
    ]);
    expect((await roundup(['unsubscribe', 'ann@example.net'], root, vars)).out[0]).toMatch(
      /^ann@example\.net was already suppressed \(manual, /,
    );
    // Another state directory knows nothing of it.
    const other = { ROUNDUP_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'roundup-inproc-')) };
    expect((await roundup(['unsubscribe', '--undo', 'ann@example.net'], root, other)).out).toEqual(['ann@example.net was not suppressed']);
  });
});

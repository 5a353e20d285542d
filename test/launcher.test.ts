/**
 * What bin/roundup.js and scripts/bundle.mjs promise about memory and start-up: the bundle's
 * text is held once, one byte per character; the V8 code cache survives a send (the send turns
 * on full collections, and a changed flag used to leave a cache no later start accepted); full
 * collections are there only when asked for.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectNow, enableCollection } from '../src/memory.js';
import { makeProject, REPO, runCli } from './helpers/project.js';
import { makeSendProject, readersCsv } from './send/helpers.js';

const BUNDLE = path.join(REPO, 'lib/bundle/cli.cjs');

describe('the CLI bundle', () => {
  const text = readFileSync(BUNDLE, 'latin1');

  it('is ASCII, so V8 holds its 7 MB one byte per character rather than two', () => {
    const at = text.search(/[^\x00-\x7f]/);
    expect(at, at >= 0 ? `non-ASCII at ${at}: ${JSON.stringify(text.slice(at - 40, at + 10))}` : '').toBe(-1);
  });

  it('is wrapped as Node wraps a CommonJS module, on the first line (line numbers as in the file)', () => {
    expect(text.startsWith('(function (exports, require, module, __filename, __dirname) { ')).toBe(true);
    expect(text.trimEnd().endsWith('})')).toBe(true);
  });

  it('keeps escaped characters meaning what they meant: a quote\'s "— Name" line is still its attribution', () => {
    // ATTRIBUTION in src/issue is a regex literal with '—' and '–', which esbuild leaves unescaped and scripts/bundle.mjs escapes.
    const dir = makeProject({ issues: { 'q.md': QUOTE_ISSUE } });
    const r = runCli(['build', 'issues/q.md'], dir);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(path.join(dir, 'dist/q/index.html'), 'utf8');
    expect(html).toMatch(/<p class="rb-attr"[^>]*>\u2014 Priya Raman, Partner<\/p>/);
  });
});

const QUOTE_ISSUE = `---
title: T
subject: S
date: 2026-11-03
preheader: A quote and its attribution, through the bundled CLI.
---

Hello.

## One

> Delegation is not abdication.
> \u2014 Priya Raman, Partner
`;

describe('the V8 code cache', () => {
  /** A copy of the install (bin, bundle, package.json), so this test's cache is its own. */
  function install(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'roundup-install-'));
    mkdirSync(path.join(dir, 'lib'));
    cpSync(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
    cpSync(path.join(REPO, 'lib/bundle/cli.cjs'), path.join(dir, 'lib/bundle/cli.cjs'));
    cpSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
    symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
    return dir;
  }

  it('made by one command is used, not rebuilt, by the next, also when a send made it', () => {
    const dir = install();
    const cache = path.join(dir, 'lib/bundle/cli.cjs.v8cache');
    const p = makeSendProject({ csv: readersCsv(3) });
    const roundup = (...args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(dir, 'bin/roundup.js'), ...args], {
        cwd: p.root,
        encoding: 'utf8',
        env: { ...process.env, DEBUG: '', NO_COLOR: '1', SMTP_URL: '', ROUNDUP_STATE_DIR: p.stateDir },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
    };
    const stamp = () => ({ sha256: createHash('sha256').update(readFileSync(cache)).digest('hex'), mtime: statSync(cache).mtimeMs });

    // No cache yet: the send makes it after its run. The send turns on full collections
    // (src/memory.ts), and a flag changed for good would stamp the cache so that no later start
    // accepted it: every start would compile the bundle from scratch and write it again.
    roundup('send', 'bulletin', '--list', 'readers', '--yes');
    const made = stamp();
    roundup('build', '--out', path.join(p.root, 'dist'));
    expect(stamp()).toEqual(made);
    roundup('send', 'bulletin', '--list', 'readers', '--yes');
    expect(stamp()).toEqual(made);
  }, 120_000);
});

describe('full collections (src/memory.ts)', () => {
  it('do nothing until enabled, then leave the flags as they were (a code cache made before is still accepted)', () => {
    collectNow(); // not enabled: a no-op, no throw
    const source = 'function twice(x) { return 2 * x }; twice(21);';
    const first = new vm.Script(source, { filename: 'cached.js' });
    first.runInThisContext();
    const data = first.createCachedData();
    expect(enableCollection()).toBe(true);
    collectNow();
    const again = new vm.Script(source, { filename: 'cached.js', cachedData: data });
    expect(again.cachedDataRejected).toBe(false);
    expect(again.runInThisContext()).toBe(42);
  });
});

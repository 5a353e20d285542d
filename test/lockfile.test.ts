/**
 * `npm ci` (README's first set-up command, and CI) refuses a package-lock.json that lacks an
 * entry for any dependency, optional platform binaries included ("Missing: @biomejs/cli-…
 * from lock file"). A registry that does not serve another platform's binary makes
 * `npm install` drop its entry silently; this catches that before CI does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const lock = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** Where Node would find `name` from the package at `from` (its own node_modules, then up). */
function resolves(from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

describe('package-lock.json', () => {
  it('has an entry for every dependency, optional platform binaries included (npm ci needs them)', () => {
    const missing: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
        if (!resolves(where, name)) missing.push(`${where || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

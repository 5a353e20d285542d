/**
 * `roundup … | head`: the reader of our output goes away. The command must finish its work and
 * exit 0, not crash with an unhandled EPIPE stack trace (a send would stop mid-reader).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, makeProject } from '../helpers/project.js';

describe('output to a closed pipe', () => {
  it('build | head -c 5: every issue is still built, exit 0, no stack trace', async () => {
    const dir = makeProject({ withSampleIssues: true });
    const child = spawn(process.execPath, [BIN, 'build'], {
      cwd: dir,
      env: { ...process.env, DEBUG: '', NO_COLOR: '1', ROUNDUP_STATE_DIR: path.join(dir, '.roundup') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Like `head -c 5`: read the first bytes, then close our end of the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, 'dist/weekly-2026-47/index.html'))).toBe(true);
  }, 60_000);
});

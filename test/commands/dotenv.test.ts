import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotenv } from '../../src/env.js';
import { makeProject, runCli } from '../helpers/project.js';

describe('.env', () => {
  it('fills only variables the environment lacks', () => {
    const dir = makeProject();
    const file = path.join(dir, '.env');
    writeFileSync(file, 'SMTP_URL=smtp://from-file:25\nROUNDUP_SECRET="from file secret 0123"\n# a comment\n');
    const env: NodeJS.ProcessEnv = { SMTP_URL: 'smtp://from-shell:25' };
    loadDotenv(file, env);
    expect(env).toEqual({ SMTP_URL: 'smtp://from-shell:25', ROUNDUP_SECRET: 'from file secret 0123' });
  });

  it('applies to every command: unsubscribe writes to the state directory .env names', () => {
    const dir = makeProject();
    writeFileSync(path.join(dir, '.env'), 'ROUNDUP_STATE_DIR=state-from-dotenv\n');
    const r = runCli(['unsubscribe', 'someone@example.net'], dir, { ROUNDUP_STATE_DIR: undefined });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'state-from-dotenv/roundup.db'))).toBe(true);
    expect(existsSync(path.join(dir, '.roundup'))).toBe(false);
  });
});

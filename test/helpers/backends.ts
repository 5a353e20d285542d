/**
 * The state engines a test runs against: SQLite always, PostgreSQL where one is available
 * (helpers/pg.ts). `describe.each(backends())` runs the same tests on both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase, hasPostgres } from './pg.js';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A fresh, empty state: returns the env that selects it. */
  fresh(): Promise<NodeJS.ProcessEnv>;
  cleanup(env: NodeJS.ProcessEnv): Promise<void>;
}

export const sqlite: Backend = {
  name: 'SQLite',
  fresh: async () => ({ ROUNDUP_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'roundup-state-')) }),
  cleanup: async () => {},
};

export const postgres: Backend = {
  name: 'PostgreSQL',
  fresh: async () => ({ ROUNDUP_DATABASE_URL: await createDatabase() }),
  cleanup: async (env) => dropDatabase(env.ROUNDUP_DATABASE_URL!),
};

export function backends(): Backend[] {
  return hasPostgres ? [sqlite, postgres] : [sqlite];
}

/**
 * The state engines a test runs against: SQLite always, PostgreSQL where one is available
 * (helpers/pg.ts). `describe.each(backends())` runs the same tests on both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StateChoice } from '../../src/state/index.js';
import { createDatabase, dropDatabase, hasPostgres } from './pg.js';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** A fresh, empty state: returns the environment that selects it (as src/env.ts resolves it). */
  fresh(): Promise<StateChoice>;
  cleanup(where: StateChoice): Promise<void>;
}

export const sqlite: Backend = {
  name: 'SQLite',
  fresh: async () => ({ stateDir: mkdtempSync(path.join(tmpdir(), 'roundup-state-')) }),
  cleanup: async () => {},
};

export const postgres: Backend = {
  name: 'PostgreSQL',
  fresh: async () => ({ databaseUrl: await createDatabase() }),
  cleanup: async (where) => dropDatabase(where.databaseUrl!),
};

export function backends(): Backend[] {
  return hasPostgres ? [sqlite, postgres] : [sqlite];
}

/** The same choice as environment variables, for a child process (the CLI) to resolve. */
export function envVars(where: StateChoice): Record<string, string> {
  return where.databaseUrl ? { ROUNDUP_DATABASE_URL: where.databaseUrl } : { ROUNDUP_STATE_DIR: where.stateDir! };
}

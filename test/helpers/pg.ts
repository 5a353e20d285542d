/**
 * A real PostgreSQL for the tests: `npm test` runs the suite under `pg_virtualenv` (a
 * throwaway cluster) when no server is configured (scripts/test.mjs), which exports PGHOST,
 * PGPORT, PGUSER and PGPASSWORD; or set ROUNDUP_TEST_DATABASE_URL to an admin URL of your own.
 *
 * Each test (file) gets its own database, so test files run in parallel without seeing each
 * other's rows. Without a server the tests skip with a visible line, and fail in CI.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { part } from './parts.js';

function adminUrl(): string | undefined {
  if (process.env.ROUNDUP_TEST_DATABASE_URL) return process.env.ROUNDUP_TEST_DATABASE_URL;
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD } = process.env;
  if (!PGHOST) return undefined;
  const auth = PGUSER ? `${encodeURIComponent(PGUSER)}${PGPASSWORD ? `:${encodeURIComponent(PGPASSWORD)}` : ''}@` : '';
  return `postgres://${auth}${PGHOST.startsWith('/') ? 'localhost' : PGHOST}:${PGPORT ?? 5432}/postgres`;
}

export const hasPostgres = part(
  'PostgreSQL',
  adminUrl() !== undefined,
  'apt-get install postgresql, then npm test (it starts a throwaway cluster with pg_virtualenv), or set ROUNDUP_TEST_DATABASE_URL',
);

/** A new, empty database; returns its URL. Dropped by `dropDatabase` (or with the cluster). */
export async function createDatabase(): Promise<string> {
  const admin = adminUrl()!;
  const name = `roundup_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.href;
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl()! });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

#!/usr/bin/env node
/**
 * `npm test`: vitest, with a PostgreSQL for the shared-state tests. When no server is
 * configured (no PGHOST, no ROUNDUP_TEST_DATABASE_URL) and Debian's `pg_virtualenv` is
 * installed, the suite runs under it: a throwaway cluster, created for this run and removed
 * after (it works as root too; -t keeps its files in a temporary folder, so two runs at once,
 * or one beside another cluster named like it, do not collide). Otherwise vitest runs as it is, and the PostgreSQL tests skip
 * with a visible line (or fail, in CI: ROUNDUP_REQUIRE_ALL_PARTS=1).
 *
 *   node scripts/test.mjs [vitest args…]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = ['vitest', 'run', ...process.argv.slice(2)];
const configured = process.env.PGHOST || process.env.ROUNDUP_TEST_DATABASE_URL;
const virtualenv = ['/usr/bin/pg_virtualenv', '/usr/local/bin/pg_virtualenv'].find(existsSync);
const cmd = !configured && virtualenv ? [virtualenv, '-t', 'npx', ...args] : ['npx', ...args];
if (cmd[0] === virtualenv) process.stderr.write('npm test: running under pg_virtualenv (a throwaway PostgreSQL cluster)\n');
const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit' });
process.exit(r.status ?? 1);

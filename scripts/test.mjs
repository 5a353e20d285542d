#!/usr/bin/env node
/**
 * `npm test`: vitest, with a PostgreSQL for the shared-state tests. When no server is
 * configured (no PGHOST, no ROUNDUP_TEST_DATABASE_URL), the suite gets a throwaway cluster,
 * created for this run and removed after:
 *
 *   - under Debian's `pg_virtualenv` when it is installed (it works as root too);
 *   - as root, pg_virtualenv has only one cluster name ("regress"), so when that cluster
 *     already exists (another run, or one left by a killed run) it would refuse: the suite then
 *     starts a private cluster of its own with initdb + pg_ctl in a temporary folder instead,
 *     the same thing pg_virtualenv does for a normal user;
 *   - without either, vitest runs as it is and the PostgreSQL tests skip with a visible line
 *     (or fail, in CI: ROUNDUP_REQUIRE_ALL_PARTS=1).
 *
 *   node scripts/test.mjs [vitest args…]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const args = ['vitest', 'run', ...process.argv.slice(2)];
const configured = process.env.PGHOST || process.env.ROUNDUP_TEST_DATABASE_URL;
const virtualenv = ['/usr/bin/pg_virtualenv', '/usr/local/bin/pg_virtualenv'].find(existsSync);
const isRoot = process.getuid?.() === 0;

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin). */
function serverBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

/** Is pg_virtualenv's fixed root cluster name already taken on this machine? */
function regressTaken() {
  const etc = '/etc/postgresql';
  return existsSync(etc) && readdirSync(etc).some((v) => existsSync(path.join(etc, v, 'regress')));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** initdb + pg_ctl in a temporary folder (as the postgres user when we are root: initdb refuses root). */
async function withPrivateCluster(bin) {
  const dir = mkdtempSync(path.join(tmpdir(), 'roundup-pg-'));
  const data = path.join(dir, 'data');
  const asPg = isRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const owner = isRoot ? [id('-u'), id('-g')] : [];
  if (isRoot) chownSync(dir, ...owner);
  const exec = (tool, toolArgs) => {
    const full = [...asPg, path.join(bin, tool), ...toolArgs];
    return spawnSync(full[0], full.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] }).status;
  };
  const stop = () => exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  let started = false;
  const cleanup = () => {
    if (started) stop();
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  // A password over TCP, like pg_virtualenv: tests check that it never reaches the output.
  const password = randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  if (isRoot) chownSync(pwfile, ...owner);
  try {
    const init = [
      '-D',
      data,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
    ];
    if (exec('initdb', init) !== 0) throw new Error('initdb failed');
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    if (exec('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start']) !== 0) throw new Error('pg_ctl start failed');
    started = true;
    process.stderr.write(`npm test: running against a private throwaway PostgreSQL on 127.0.0.1:${port}\n`);
    return run('npx', args, {
      env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: password, PGDATABASE: 'postgres' },
    });
  } finally {
    cleanup();
  }
}

let status;
const bin = serverBin();
if (configured) status = run('npx', args);
else if (virtualenv && !(isRoot && regressTaken())) {
  process.stderr.write('npm test: running under pg_virtualenv (a throwaway PostgreSQL cluster)\n');
  status = run(virtualenv, ['npx', ...args]);
} else if (bin) status = await withPrivateCluster(bin);
else status = run('npx', args);
process.exit(status);

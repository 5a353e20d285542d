#!/usr/bin/env node
/**
 * Send benchmark. The headline figures time `roundup send` as a user runs it: the real CLI
 * (bin/roundup.js) in a fresh project, from process start to exit, reading and importing the
 * list included, on SQLite and on PostgreSQL, with its peak RSS; then Postfix's smtp-source
 * against the same sink, with the same message size and connection count, and the ratio.
 * Then three `--join` senders against a sink that answers each DATA after 20 ms (a slow
 * relay) versus one. Last, the inner path (the send loop on a pre-filled database, in-process),
 * labelled as such, with and without DKIM.
 *
 *   node scripts/bench-send.mjs [counts…] [--concurrency N]
 *   env: BENCH_SEND_COUNTS=20000,100000  BENCH_SEND_CONCURRENCY=8  BENCH_ISSUE=issues/2026-11.md
 *        BENCH_SEND_BACKENDS=sqlite,postgres (PostgreSQL: ROUNDUP_BENCH_DATABASE_URL, an admin URL, or
 *        PGHOST…; without either the bench re-runs itself under pg_virtualenv when installed)
 *        BENCH_SEND_JOIN=6000 (readers for the --join comparison, enough that start-up does not dominate; 0 skips it), BENCH_SEND_JOIN_CONCURRENCY=2,
 *        BENCH_SEND_JOIN_DELAY=20 (ms per DATA)
 *        BENCH_SEND_INNER=first|all|0 (inner-path runs; default first count only)
 *        BENCH_SEND_NODE_FLAGS='--max-old-space-size=80' (flags for the measured processes)
 *        BENCH_SEND_DKIM=first|all|0 (inner path: the first count again with every message DKIM-signed,
 *        RSA 2048, key generated per run; all: every count; 0: none)
 *
 * Each run is its own process, so its peak RSS is its own: flat memory means the 100k run
 * peaks where the 20k run does. The sink is Postfix's smtp-sink when installed
 * (apt-get install postfix), else an in-process smtp-server in a separate process (no ratio).
 * Each whole run also prints the CPU seconds of roundup and of the sink (from /proc), and the
 * smtp-source run the sink's CPU per message: on a small machine the sink's own share of the
 * cores bounds what any client can reach. Needs the compiled lib/ (npm run compile). Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = (p) => path.join(root, 'lib', p);
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ISSUE = process.env.BENCH_ISSUE ?? 'issues/2026-11.md';
const CONCURRENCY = Number(flag('--concurrency') ?? process.env.BENCH_SEND_CONCURRENCY ?? 8);
const DKIM = process.env.BENCH_SEND_DKIM ?? 'first';
const SINK = ['/usr/sbin/smtp-sink', '/usr/bin/smtp-sink'].find(existsSync);
const SOURCE = ['/usr/sbin/smtp-source', '/usr/bin/smtp-source'].find(existsSync);

const BACKENDS = (process.env.BENCH_SEND_BACKENDS ?? 'sqlite,postgres').split(',').map((b) => b.trim());
const JOIN_N = Number(process.env.BENCH_SEND_JOIN ?? 6000);
const JOIN_CONCURRENCY = Number(process.env.BENCH_SEND_JOIN_CONCURRENCY ?? 2);
const JOIN_DELAY = Number(process.env.BENCH_SEND_JOIN_DELAY ?? 20);
const INNER = process.env.BENCH_SEND_INNER ?? 'first';
const PG_ADMIN = pgAdminUrl();

if (args[0] === '--child') await child(Number(args[1]), Number(args[2]), args[3] === 'dkim');
else if (args[0] === '--sink-child') await sinkChild();
else if (args[0] === '--slow-sink-child') await sinkChild(Number(args[2]));
else if (BACKENDS.includes('postgres') && !PG_ADMIN && !process.env.BENCH_UNDER_PG_VIRTUALENV && existsSync('/usr/bin/pg_virtualenv')) {
  // No PostgreSQL configured: a throwaway cluster for this run.
  const r = spawnSync('/usr/bin/pg_virtualenv', ['-t', process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_UNDER_PG_VIRTUALENV: '1' },
  });
  process.exit(r.status ?? 1);
} else await main();

async function main() {
  const counts = (
    args.filter((a) => /^\d+$/.test(a)).length
      ? args.filter((a) => /^\d+$/.test(a))
      : (process.env.BENCH_SEND_COUNTS ?? '20000,100000').split(',')
  )
    .map(Number)
    .filter((n) => n > 0);
  if (!existsSync(lib('send/orchestrator.js'))) {
    console.error('bench-send: lib/ is not built; run npm run compile first');
    process.exit(1);
  }
  const port = await freePort();
  const sink = startSink(port);
  await waitForPort(port);
  const avgBytes = await messageSize();
  console.log(
    `roundup send benchmark: ${ISSUE} (${(avgBytes / 1024).toFixed(1)} KB/msg), ${CONCURRENCY} connections, rate unlimited, sink: ${sink.name} on 127.0.0.1:${port}`,
  );
  const backends = BACKENDS.filter((b) => b === 'sqlite' || (b === 'postgres' && PG_ADMIN));
  if (BACKENDS.includes('postgres') && !PG_ADMIN)
    console.log('  PostgreSQL: none configured and pg_virtualenv not installed — SQLite only');
  const whole = [];
  try {
    console.log('whole command (roundup send, process start to exit, list import included):');
    for (const backend of backends) {
      for (const n of counts) {
        const sink0 = cpuSeconds(sink.pid);
        const r = await wholeSend(n, backend, port, CONCURRENCY);
        r.sinkCpu = cpuSeconds(sink.pid) - sink0;
        whole.push(r);
        console.log(
          `  ${backend.padEnd(8)} ${String(n).padStart(7)} readers   ${r.rate.toFixed(0).padStart(6)} msg/s   ${r.seconds.toFixed(1).padStart(6)} s   peak RSS ${r.peakMb.toFixed(0)} MB   (${r.sent} sent; CPU: roundup ≥ ${r.cpu.toFixed(1)} s, sink ${r.sinkCpu.toFixed(1)} s)`,
        );
      }
      const mine = whole.filter((r) => r.backend === backend);
      if (mine.length > 1) {
        const [a, b] = [mine[0], mine[mine.length - 1]];
        console.log(
          `  ${backend.padEnd(8)} peak RSS ${a.n} → ${b.n} readers: ${a.peakMb.toFixed(0)} → ${b.peakMb.toFixed(0)} MB (×${(b.peakMb / a.peakMb).toFixed(2)}; target ≤ 1.10 and < 150 MB)`,
        );
      }
    }
    let srcRate;
    if (SOURCE && SINK) {
      const m = Math.min(counts[0], 20000);
      const t0 = process.hrtime.bigint();
      const sink0 = cpuSeconds(sink.pid);
      const s = spawnSync(
        SOURCE,
        [
          '-d',
          '-s',
          String(CONCURRENCY),
          '-l',
          String(avgBytes),
          '-m',
          String(m),
          '-f',
          'roundup@hartwellfinch.example',
          '-t',
          'reader@example.net',
          `127.0.0.1:${port}`,
        ],
        { encoding: 'utf8' },
      );
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (s.status !== 0) throw new Error(`smtp-source failed: ${s.stderr}`);
      srcRate = m / secs;
      const sinkCpu = cpuSeconds(sink.pid) - sink0;
      console.log(
        `  smtp-source ${String(m).padStart(7)} messages  ${srcRate.toFixed(0).padStart(6)} msg/s   (${avgBytes} bytes each, ${CONCURRENCY} sessions, same sink; sink CPU ${sinkCpu.toFixed(1)} s = ${((sinkCpu / m) * 1e6).toFixed(0)} µs/msg)`,
      );
      for (const r of whole) {
        const target = r.backend === 'sqlite' ? 0.9 : 0.7;
        console.log(`  ratio roundup send / smtp-source (${r.backend}, ${r.n}): ${(r.rate / srcRate).toFixed(2)}   target ≥ ${target}`);
      }
    } else console.log('  smtp-source: not installed (apt-get install postfix) — no baseline ratio');

    if (JOIN_N > 0) await joinBench(backends.includes('postgres') ? 'postgres' : 'sqlite');

    // The inner path: the send loop alone on a pre-filled database (no process start, no list import).
    const innerCounts = INNER === 'all' ? counts : INNER === '0' ? [] : counts.slice(0, 1);
    if (innerCounts.length) console.log('inner path (in-process send loop on a pre-filled SQLite database; not the whole command):');
    const results = [];
    for (const n of innerCounts) {
      const r = runChild(['--child', String(n), String(port)]);
      results.push(r);
      report(n, r, '');
    }
    // DKIM on: the same count with every message signed (RSA 2048): the signature's cost per message.
    for (const n of DKIM === 'all' || DKIM === '1' ? innerCounts : DKIM === '0' ? [] : innerCounts.slice(0, 1)) {
      const r = runChild(['--child', String(n), String(port), 'dkim']);
      report(n, r, ' +DKIM');
      const plain = results.find((x) => x.n === n);
      if (plain) console.log(`  DKIM-signed / unsigned (${n}): ${(r.rate / plain.rate).toFixed(2)}`);
    }
    if (srcRate) for (const r of results) console.log(`  inner path / smtp-source (${r.n}): ${(r.rate / srcRate).toFixed(2)}`);
  } finally {
    sink.stop();
  }
}

/** The admin URL for creating one database per run: ROUNDUP_BENCH_DATABASE_URL, else the PG* variables. */
function pgAdminUrl() {
  if (process.env.ROUNDUP_BENCH_DATABASE_URL) return process.env.ROUNDUP_BENCH_DATABASE_URL;
  const { PGHOST, PGPORT, PGUSER, PGPASSWORD } = process.env;
  if (!PGHOST) return undefined;
  const auth = PGUSER ? `${encodeURIComponent(PGUSER)}${PGPASSWORD ? `:${encodeURIComponent(PGPASSWORD)}` : ''}@` : '';
  return `postgres://${auth}${PGHOST.startsWith('/') ? 'localhost' : PGHOST}:${PGPORT ?? 5432}/postgres`;
}

async function createDatabase() {
  const { default: pg } = await import('pg');
  const name = `roundup_bench_${process.pid}_${Date.now()}`;
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_ADMIN });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/** A project folder as a user has it: config, templates, the issue, and lists/bench.csv with n readers. */
function benchProject(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'roundup-bench-project-'));
  cpSync(path.join(root, 'roundup.config.yaml'), path.join(dir, 'roundup.config.yaml'));
  cpSync(path.join(root, 'templates'), path.join(dir, 'templates'), { recursive: true });
  cpSync(path.join(root, 'issues'), path.join(dir, 'issues'), { recursive: true });
  mkdirSync(path.join(dir, 'lists'));
  const rows = ['email,name,organisation'];
  for (let i = 0; i < n; i++) rows.push(`reader${i}@example.net,Reader ${i},Trust ${i % 500}`);
  writeFileSync(path.join(dir, 'lists/bench.csv'), rows.join('\n') + '\n');
  return dir;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime: clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** Peak RSS of a running process so far (VmHWM), in bytes; 0 once it is gone. */
function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Start `roundup send` (extra args appended); resolves with its wall time, peak RSS and messages sent. */
function startSend(dir, env, port, concurrency, extra = []) {
  const flags = (process.env.BENCH_SEND_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const t0 = process.hrtime.bigint();
  const p = spawn(
    process.execPath,
    [
      ...flags,
      path.join(root, 'bin/roundup.js'),
      'send',
      path.basename(ISSUE),
      '--list',
      'bench',
      '--yes',
      '--smtp',
      `smtp://127.0.0.1:${port}`,
      '--rate',
      '0',
      '--concurrency',
      String(concurrency),
      ...extra,
    ],
    {
      cwd: dir,
      env: { ...process.env, ROUNDUP_SECRET: 'bench-secret-0123456789abcdef', DEBUG: '', NO_COLOR: '1', SMTP_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let peak = 0;
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  let cpu = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, vmHwm(p.pid));
    cpu = Math.max(cpu, cpuSeconds(p.pid));
  }, 20);
  return new Promise((resolve, reject) =>
    p.on('close', (code) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`roundup send exited ${code}: ${err || out}`));
      const sent = Number(/^sent (\d+)/m.exec(out)?.[1] ?? 0);
      resolve({ seconds, peakMb: peak / 1048576, cpu, sent, out });
    }),
  );
}

async function wholeSend(n, backend, port, concurrency) {
  const dir = benchProject(n);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'roundup-bench-state-'));
  const db = backend === 'postgres' ? await createDatabase() : undefined;
  try {
    const r = await startSend(dir, { ROUNDUP_STATE_DIR: stateDir, ...(db ? { ROUNDUP_DATABASE_URL: db.url } : {}) }, port, concurrency);
    return { backend, n, ...r, rate: r.sent / r.seconds };
  } finally {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** One sender against a slow relay, then three --join senders on the same number of readers. */
async function joinBench(backend) {
  const port = await freePort();
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--slow-sink-child', String(port), String(JOIN_DELAY)], {
    stdio: 'ignore',
    env: { ...process.env, SINK_PORT: String(port) },
  });
  await waitForPort(port);
  console.log(
    `--join: ${JOIN_N} readers, a sink answering each DATA after ${JOIN_DELAY} ms, ${JOIN_CONCURRENCY} connections per sender, ${backend}:`,
  );
  try {
    const rates = [];
    for (const workers of [1, 3]) {
      const dirs = Array.from({ length: workers }, () => benchProject(JOIN_N));
      const states = dirs.map(() => mkdtempSync(path.join(tmpdir(), 'roundup-bench-state-')));
      const db = backend === 'postgres' ? await createDatabase() : undefined;
      try {
        const t0 = process.hrtime.bigint();
        // SQLite: the senders share one state directory (one machine); PostgreSQL: one database.
        const env = (i) => (db ? { ROUNDUP_STATE_DIR: states[i], ROUNDUP_DATABASE_URL: db.url } : { ROUNDUP_STATE_DIR: states[0] });
        const runs = await Promise.all(dirs.map((d, i) => startSend(d, env(i), port, JOIN_CONCURRENCY, workers > 1 ? ['--join'] : [])));
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const sent = runs.reduce((a, r) => a + r.sent, 0);
        rates.push(sent / seconds);
        console.log(
          `  ${workers} sender${workers > 1 ? 's' : ' '}  ${(sent / seconds).toFixed(0).padStart(6)} msg/s   ${seconds.toFixed(1)} s   (${runs.map((r) => r.sent).join(' + ')} sent)`,
        );
      } finally {
        await db?.drop();
        for (const d of [...dirs, ...states]) rmSync(d, { recursive: true, force: true });
      }
    }
    console.log(`  3 senders / 1 sender: ${(rates[1] / rates[0]).toFixed(2)}   target ≥ 2.5`);
  } finally {
    p.kill();
  }
}

/** Bytes of one personalised message of the bench issue (for smtp-source's -l). */
async function messageSize() {
  const { loadConfig } = await import(lib('config.js'));
  const { renderIssueFile } = await import(lib('render/index.js'));
  const { createMessageFactory } = await import(lib('send/message.js'));
  const config = loadConfig(root);
  const issue = await renderIssueFile(ISSUE, { root, config });
  const make = createMessageFactory({ issue, config, list: 'bench', secret: Buffer.from('bench-secret-0123456789abcdef') });
  const m = make({
    email: 'reader1@example.net',
    name: 'Reader 1',
    fields: { email: 'reader1@example.net', name: 'Reader 1', organisation: 'Trust 1' },
    messageId: '<x@bench>',
  });
  return Buffer.byteLength(m.pieces.join(''));
}

function report(n, r, tag) {
  console.log(
    `  roundup send${tag} ${String(n).padStart(6)} readers   ${r.rate.toFixed(0).padStart(6)} msg/s   peak RSS ${r.peakRssMb.toFixed(0)} MB` +
      ` (sending: ${r.halvesMb[0].toFixed(0)} MB first half, ${r.halvesMb[1].toFixed(0)} MB second half; reading the list ${r.queuePeakRssMb.toFixed(0)} MB)` +
      `   (queue ${r.syncSeconds.toFixed(1)} s, send ${r.sendSeconds.toFixed(1)} s, ${(r.avgBytes / 1024).toFixed(1)} KB/msg, ${r.sent} sent)`,
  );
}

function runChild(childArgs) {
  // BENCH_SEND_NODE_FLAGS (e.g. --max-old-space-size=80) shows how much of the peak is V8
  // letting old space grow lazily rather than memory the send needs.
  const flags = (process.env.BENCH_SEND_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const r = spawnSync(process.execPath, ['--expose-gc', ...flags, fileURLToPath(import.meta.url), ...childArgs], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** One measured run: queue n readers, send them all, report rate and peak RSS. */
async function child(n, port, dkim = false) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'roundup-bench-send-'));
  const { loadConfig } = await import(lib('config.js'));
  const { renderIssueFile } = await import(lib('render/index.js'));
  const { parseList } = await import(lib('lists/parse.js'));
  const { openStore } = await import(lib('state/index.js'));
  const { createMessageFactory } = await import(lib('send/message.js'));
  const { messageIdFor } = await import(lib('send/message-id.js'));
  const { runSendLoop } = await import(lib('send/orchestrator.js'));
  const { RateLimiter } = await import(lib('send/rate-limit.js'));
  const { SmtpTransport } = await import(lib('send/smtp.js'));
  const { parseSmtpUrl } = await import(lib('send/smtp-url.js'));
  const { loadSecret } = await import(lib('unsubscribe/secret.js'));
  const { DkimSigner, signingTransport } = await import(lib('send/dkim.js'));

  const config = loadConfig(root);
  const issue = await renderIssueFile(ISSUE, { root, config });
  const secret = loadSecret(config, { root, stateDir });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);

  const store = await openStore(config, { root, stateDir });
  const t0 = performance.now();
  await queueReaders(n, { store, issue, config, parseList, messageIdFor });
  const syncSeconds = (performance.now() - t0) / 1000;
  global.gc?.();
  const queuePeak = peak;
  let sendPeak = process.memoryUsage().rss;
  // Peak RSS over the first and the second half of the readers: a plateau (flat memory) shows
  // as a second half no higher than the first; a leak would keep climbing.
  const halves = [0, 0];
  let committed = 0;
  const sendSampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    sendPeak = Math.max(sendPeak, rss);
    const h = committed < n / 2 ? 0 : 1;
    halves[h] = Math.max(halves[h], rss);
  }, 50);

  const send = await store.ensureSend(issue.slug, 'bench', issue.meta.subject);
  const worker = await store.startWorker(send.id, 'bench');
  const makeMessage = createMessageFactory({ issue, config, list: 'bench', secret });
  let bytes = 0;
  let sized = 0;
  const sizing = (reader) => {
    const m = makeMessage(reader);
    if (sized < 200) {
      bytes += Buffer.byteLength(m.pieces.join(''));
      sized++;
    }
    return m;
  };
  const smtp = new SmtpTransport(parseSmtpUrl(`smtp://127.0.0.1:${port}`), { timeout: 30_000 });
  const t1 = performance.now();
  const result = await runSendLoop({
    ledger: store.ledger(send.id, worker.id),
    makeMessage: sizing,
    transport: dkim
      ? signingTransport(
          smtp,
          new DkimSigner({
            domain: 'hartwellfinch.example',
            selector: 'bench',
            key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
          }),
        )
      : smtp,
    limiter: new RateLimiter({ rate: 0 }),
    concurrency: CONCURRENCY,
    maxAttempts: config.send.maxAttempts,
    pauseAfterFailures: config.send.pauseAfterFailures,
    retryDelay: 200,
    messagesPerConnection: config.send.messagesPerConnection,
    claimAhead: store.claimAhead(CONCURRENCY),
    onCommitted: (o) => (committed += o.length),
  });
  const sendSeconds = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  clearInterval(sendSampler);
  sendPeak = Math.max(sendPeak, process.memoryUsage().rss);
  peak = Math.max(peak, sendPeak, process.resourceUsage().maxRSS * 1024);
  await worker.release();
  await store.close();
  rmSync(stateDir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({
      n,
      sent: result.sent,
      stop: result.stop,
      rate: result.sent / sendSeconds,
      sendSeconds,
      syncSeconds,
      peakRssMb: peak / 1048576,
      queuePeakRssMb: queuePeak / 1048576,
      sendPeakRssMb: sendPeak / 1048576,
      halvesMb: halves.map((h) => h / 1048576),
      avgBytes: Math.round(bytes / Math.max(1, sized)),
    }) + '\n',
  );
}

/**
 * The list as CSV text, parsed and queued like a real one. In its own function so nothing of
 * the parsed list outlives it (a suspended async frame can keep dead locals alive).
 */
async function queueReaders(n, { store, issue, config, parseList, messageIdFor }) {
  let csv = 'email,name,organisation\n';
  for (let i = 0; i < n; i++) csv += `reader${i}@example.net,Reader ${i},Trust ${i % 500}\n`;
  const list = parseList(csv, 'bench.csv');
  const send = await store.ensureSend(issue.slug, 'bench', issue.meta.subject);
  await store.syncRecipients(send, list.recipients, (r) => messageIdFor(issue.slug, 'bench', r.key, config.from.email));
}

function startSink(port) {
  if (SINK) {
    // -u: smtp-sink refuses to run as root without a user to drop to.
    const sinkArgs = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1024'];
    const p = spawn(SINK, sinkArgs, { stdio: 'ignore' });
    return { name: 'Postfix smtp-sink', pid: p.pid, stop: () => p.kill() };
  }
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sink-child', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, SINK_PORT: String(port) },
  });
  return { name: 'in-process smtp-server (separate process; Postfix not installed)', pid: p.pid, stop: () => p.kill() };
}

/** Fallback sink: accept and discard everything (after `delay` ms per message: a slow relay). */
async function sinkChild(delay = 0) {
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => {});
      stream.on('end', () => (delay ? setTimeout(() => cb(null, 'Ok'), delay) : cb(null, 'Ok')));
    },
  });
  server.on('error', () => {});
  server.listen(Number(process.env.SINK_PORT), '127.0.0.1');
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sink did not start on port ${port}`);
}

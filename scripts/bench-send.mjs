#!/usr/bin/env node
/**
 * Send benchmark: personalised copies of the sample roundup through the real send loop
 * (state database, dispatcher, SMTP channels) to a local sink, then Postfix's smtp-source
 * against the same sink with the same message size and connection count, and the ratio.
 *
 *   node scripts/bench-send.mjs [counts…] [--concurrency N]
 *   env: BENCH_SEND_COUNTS=20000,100000  BENCH_SEND_CONCURRENCY=8  BENCH_ISSUE=issues/2026-11.md
 *        BENCH_SEND_NODE_FLAGS='--max-old-space-size=80' (flags for the measured processes)
 *        BENCH_SEND_DKIM=first|all|0 (default first: the first count again with every message DKIM-signed,
 *        RSA 2048, key generated per run; all: every count; 0: none)
 *
 * Each count runs in its own child process so its peak RSS is its own: flat memory means the
 * 100k run peaks where the 20k run does. The sink is Postfix's smtp-sink when installed
 * (apt-get install postfix), else an in-process smtp-server in a separate process (no ratio).
 * Needs the compiled lib/ (npm run compile). Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

if (args[0] === '--child') await child(Number(args[1]), Number(args[2]), args[3] === 'dkim');
else if (args[0] === '--sink-child') await sinkChild();
else await main();

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
  console.log(`roundup send benchmark: ${ISSUE}, ${CONCURRENCY} connections, rate unlimited, sink: ${sink.name} on 127.0.0.1:${port}`);
  const results = [];
  try {
    for (const n of counts) {
      const r = runChild(['--child', String(n), String(port)]);
      results.push(r);
      report(n, r, '');
    }
    // DKIM on: the same count with every message signed (RSA 2048): the signature's cost per message.
    for (const n of DKIM === 'all' || DKIM === '1' ? counts : DKIM === '0' ? [] : counts.slice(0, 1)) {
      const r = runChild(['--child', String(n), String(port), 'dkim']);
      report(n, r, ' +DKIM');
      const plain = results.find((x) => x.n === n);
      if (plain) console.log(`  DKIM-signed / unsigned (${n}): ${(r.rate / plain.rate).toFixed(2)}`);
    }
    if (results.length > 1) {
      const [a, b] = [results[0], results[results.length - 1]];
      console.log(
        `  peak RSS while sending, ${a.n} → ${b.n} readers: ${a.sendPeakRssMb.toFixed(0)} MB → ${b.sendPeakRssMb.toFixed(0)} MB` +
          ` (×${(b.sendPeakRssMb / a.sendPeakRssMb).toFixed(2)} for ×${(b.n / a.n).toFixed(0)} readers)`,
      );
    }
    if (!SOURCE || !SINK) {
      console.log('  smtp-source: not installed (apt-get install postfix) — no baseline ratio');
      return;
    }
    const ref = results[0];
    const m = Math.min(ref.n, 20000);
    const t0 = process.hrtime.bigint();
    const s = spawnSync(
      SOURCE,
      [
        '-d',
        '-s',
        String(CONCURRENCY),
        '-l',
        String(ref.avgBytes),
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
    const srcRate = m / secs;
    console.log(
      `  smtp-source   ${String(m).padStart(6)} messages  ${srcRate.toFixed(0).padStart(6)} msg/s   (${ref.avgBytes} bytes each, ${CONCURRENCY} sessions)`,
    );
    for (const r of results) console.log(`  ratio roundup/smtp-source (${r.n}): ${(r.rate / srcRate).toFixed(2)}   target ≥ 0.25`);
  } finally {
    sink.stop();
  }
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
  const { openState, ensureSend, syncRecipients, SendLedger } = await import(lib('state/index.js'));
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

  const db = openState(config, { root, stateDir });
  const t0 = performance.now();
  queueReaders(n, { db, issue, config, parseList, ensureSend, syncRecipients, messageIdFor });
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

  const send = ensureSend(db, issue.slug, 'bench', issue.meta.subject);
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
    ledger: new SendLedger(db, send.id),
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
    onCommitted: (o) => (committed += o.length),
  });
  const sendSeconds = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  clearInterval(sendSampler);
  sendPeak = Math.max(sendPeak, process.memoryUsage().rss);
  peak = Math.max(peak, sendPeak, process.resourceUsage().maxRSS * 1024);
  db.close();
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
function queueReaders(n, { db, issue, config, parseList, ensureSend, syncRecipients, messageIdFor }) {
  let csv = 'email,name,organisation\n';
  for (let i = 0; i < n; i++) csv += `reader${i}@example.net,Reader ${i},Trust ${i % 500}\n`;
  const list = parseList(csv, 'bench.csv');
  const send = ensureSend(db, issue.slug, 'bench', issue.meta.subject);
  syncRecipients(db, send, list.recipients, (r) => messageIdFor(issue.slug, 'bench', r.key, config.from.email));
}

function startSink(port) {
  if (SINK) {
    // -u: smtp-sink refuses to run as root without a user to drop to.
    const sinkArgs = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1024'];
    const p = spawn(SINK, sinkArgs, { stdio: 'ignore' });
    return { name: 'Postfix smtp-sink', stop: () => p.kill() };
  }
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sink-child', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, SINK_PORT: String(port) },
  });
  return { name: 'in-process smtp-server (separate process; Postfix not installed)', stop: () => p.kill() };
}

/** Fallback sink: accept and discard everything. */
async function sinkChild() {
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => {});
      stream.on('end', () => cb(null, 'Ok'));
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

/**
 * Returned mail is written by strangers: the analyser must never throw and never take long,
 * whatever arrives (truncated reports, flipped bytes, no line breaks, absurd nesting).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/bounces/classify.js';
import { part } from '../helpers/parts.js';
import { rng } from '../hostile/fuzz.js';
import { findCorpus } from './corpus.js';

const timed = (raw: Buffer | string) => {
  const t0 = performance.now();
  const a = analyse(raw);
  return { a, ms: performance.now() - t0 };
};

describe('analyse on hostile input', () => {
  it('survives pathological shapes, each in well under 3 s', () => {
    const cases: string[] = [
      '',
      '\r\n\r\n',
      'a'.repeat(2_000_000),
      `From: MAILER-DAEMON@x\r\nSubject: failure notice\r\n\r\n${'<a@b.example> '.repeat(20_000)}`,
      `From: MAILER-DAEMON@x\r\n\r\n${'user unknown '.repeat(50_000)}`,
      `Content-Type: multipart/report; boundary=b\r\n\r\n${'--b\r\nContent-Type: message/rfc822\r\n\r\n'.repeat(2000)}`,
      `Content-Type: multipart/mixed; boundary="${'x'.repeat(5000)}"\r\n\r\nno parts`,
      'Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822;\r\nAction: failed\r\nStatus: 9.9.9\r\n',
      `Subject: =?utf-8?B?${'A'.repeat(100_000)}?=\r\n\r\n`,
      `Subject: =?x-unknown?Q?=FF=FE?=\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n`,
      `Feedback-Type: ${'abuse '.repeat(10_000)}\r\n`,
      `From: MAILER-DAEMON@x\r\n\r\n${'{"notificationType":"Bounce",'.repeat(10_000)}`,
    ];
    for (const c of cases) {
      const { a, ms } = timed(c);
      expect(a.kind).toBeTypeOf('string');
      expect(ms).toBeLessThan(3000);
    }
  });

  const dir = findCorpus(process.cwd());
  const has = part('the bounce corpus', dir !== undefined, 'put shared/bounce-corpus beside the repository or set ROUNDUP_BOUNCE_CORPUS');
  it.skipIf(!has)('survives every corpus message truncated and with flipped bytes', () => {
    const next = rng(Number(process.env.ROUNDUP_FUZZ_SEED ?? 9));
    let worst = 0;
    for (const f of readdirSync(dir!).filter((n) => n.endsWith('.eml'))) {
      const raw = readFileSync(path.join(dir!, f));
      for (let k = 0; k < 4; k++) {
        const cut = raw.subarray(0, Math.floor(next() * raw.length));
        const flipped = Buffer.from(raw);
        for (let j = 0; j < 20; j++) flipped[Math.floor(next() * flipped.length)] = Math.floor(next() * 256);
        for (const m of [cut, flipped]) {
          const { a, ms } = timed(m);
          expect(['hard', 'soft', 'complaint', 'auto-reply', 'delivered', 'unsubscribe', 'unrelated']).toContain(a.kind);
          worst = Math.max(worst, ms);
        }
      }
    }
    expect(worst).toBeLessThan(3000);
  });
});

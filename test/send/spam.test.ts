/**
 * SpamAssassin (Debian `spamassassin`, local rules only) scores a real composed message of each
 * shipped layout at 0.0 or below. ALL_TRUSTED is ignored: it only says the test message never
 * crossed a relay. The messages are what `roundup send` writes (the outbox transport), so
 * headers, MIME structure, both parts and the footer are all scored.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandExists, part } from '../helpers/parts.js';
import { makeProject, runCli } from '../helpers/project.js';

const hasSpamAssassin = part('SpamAssassin', commandExists('spamassassin'), 'apt-get install spamassassin');

/** Rule hits from `spamassassin -t -L`'s report: [points, rule]. */
function spamRules(report: string): [number, string][] {
  const at = report.indexOf('Content analysis details:');
  if (at < 0) throw new Error(`no SpamAssassin report in:\n${report.slice(0, 500)}`);
  const hits: [number, string][] = [];
  for (const m of report.slice(at).matchAll(/^\s*(-?\d+(?:\.\d+)?)\s+([A-Z][A-Z0-9_]+)\s/gm)) hits.push([Number(m[1]), m[2]]);
  return hits;
}

describe.skipIf(!hasSpamAssassin)('SpamAssassin score of a composed message', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProject({ withSampleIssues: true });
    for (const issue of ['issues/2026-11.md', 'issues/weekly-2026-47.md']) {
      const r = runCli(['send', issue, '--list', 'example', '--yes'], dir);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  for (const slug of ['2026-11', 'weekly-2026-47']) {
    it(`scores ${slug} (${slug.startsWith('weekly') ? 'digest' : 'roundup'} layout) at 0.0 or below`, () => {
      const folder = path.join(dir, 'outbox', slug);
      const file = path.join(folder, readdirSync(folder).sort()[0]);
      const r = spawnSync('spamassassin', ['-t', '-L'], { input: readFileSync(file), encoding: 'utf8', timeout: 90_000 });
      expect(r.status, r.stderr).toBe(0);
      const hits = spamRules(r.stdout).filter(([, rule]) => rule !== 'ALL_TRUSTED');
      expect(hits.length).toBeGreaterThan(0); // the report was read: HTML_MESSAGE at least
      const score = hits.reduce((s, [pts]) => s + pts, 0);
      expect(score, hits.map(([p, n]) => `${p} ${n}`).join(', ')).toBeLessThanOrEqual(0);
      expect(hits.map(([, n]) => n)).not.toContain('HTML_FONT_LOW_CONTRAST');
    }, 120_000);
  }
});

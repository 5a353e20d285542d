/**
 * The standing fuzzer (issue 13): a few hundred seeded cases per `npm test`, thousands on demand.
 *
 *   ROUNDUP_FUZZ_CASES=5000 npx vitest run test/hostile/fuzz.test.ts     # more cases
 *   ROUNDUP_FUZZ_SEED=7 npx vitest run test/hostile/fuzz.test.ts         # another corpus
 *
 * Every case must end as the CLI would exit 0 or 1 (never "internal error"), produce no header
 * line over RFC 5322's 998 characters nor a raw control character in a header, and finish in
 * under 2 s (a slow case is run again before it counts, so a busy machine does not fail it).
 * The figures (cases, failures, slowest case) are printed at the end; a failing case prints its
 * seed and number, and `makeCase(seed, n)` regenerates its input.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { renderIssue } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { makeProject } from '../helpers/project.js';
import { makeCase, runCase, SEEDS, type FuzzCase, type Outcome, type Project } from './fuzz.js';

const CASES = Number(process.env.ROUNDUP_FUZZ_CASES ?? 300);
const SEED = Number(process.env.ROUNDUP_FUZZ_SEED ?? 20261122);
const SLOW_MS = 2000;

let project: Project;
const results: { c: FuzzCase; o: Outcome }[] = [];

beforeAll(async () => {
  const root = makeProject();
  const config = loadConfig(root);
  const templates = loadTemplates(root);
  // An issue whose subject and body use list fields, for composing the list cases' messages.
  const source = SEEDS.issues[0].replace(/^subject: .*$/m, 'subject: "News for {{recipient.name}} at {{recipient.organisation}}"');
  const issue = await renderIssue(source, 'issues/2026-11.md', { config, templates });
  project = { root, config, templates, issue, secret: Buffer.from('a-fuzz-secret-of-enough-length') };
});

afterAll(() => {
  if (!results.length) return;
  const failures = results.filter(({ o }) => o.exit > 1 || o.violation || o.ms >= SLOW_MS);
  const slowest = results.reduce((a, b) => (b.o.ms > a.o.ms ? b : a));
  const byExit = [0, 1].map((x) => results.filter(({ o }) => o.exit === x).length);
  const kinds = ['issue', 'list', 'config'].map((k) => `${results.filter(({ c }) => c.kind === k).length} ${k}`).join(', ');
  console.log(
    `fuzz (seed ${SEED}): ${results.length} cases (${kinds}); exit 0: ${byExit[0]}, exit 1: ${byExit[1]}; ` +
      `failures: ${failures.length}; slowest: case ${slowest.c.index} (${slowest.c.kind}) ${slowest.o.ms.toFixed(0)} ms`,
  );
});

describe('hostile input: seeded fuzzer over issues, lists and configs', () => {
  it(`${CASES} cases: exit 0 or 1 only, no internal error, headers within RFC 5322, each under ${SLOW_MS / 1000} s`, async () => {
    const failed: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(SEED, i);
      let o = await runCase(c, project);
      // Once more before a slow case counts: the machine may have been busy for a moment.
      if (o.ms >= SLOW_MS) o = await runCase(c, project);
      results.push({ c, o });
      if (o.exit > 1 || o.violation || o.ms >= SLOW_MS) {
        const dump = path.join(
          mkdtempSync(path.join(tmpdir(), 'roundup-fuzz-')),
          `case-${i}.${c.kind === 'list' ? 'csv' : c.kind === 'issue' ? 'md' : 'yaml'}`,
        );
        writeFileSync(dump, c.text);
        if (c.partial !== undefined) writeFileSync(`${dump}.partial.md`, c.partial);
        failed.push(
          `case ${i} (${c.kind}, seed ${SEED}, input in ${dump}): ` +
            (o.exit > 1 ? (o.error ?? '').split('\n').slice(0, 4).join(' | ') : o.violation ? o.violation : `took ${o.ms.toFixed(0)} ms`),
        );
      }
    }
    expect(failed, failed.join('\n')).toEqual([]);
  }, 600_000);
});

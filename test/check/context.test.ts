/** Rules are `(ctx) => Finding[]`: everything they read is in the context, built once per issue. */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkContext } from '../../src/check/context.js';
import { RULES, runChecks, sortFindings, withoutIgnored } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { renderIssueFile } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { checkProject } from './helpers.js';

describe('check context', () => {
  it('holds all the rules read: the same findings, lines included, once the project folder is gone', async () => {
    const dir = checkProject();
    const config = loadConfig(dir);
    const templates = loadTemplates(dir);
    const opts = { config, root: dir, templates };
    const files = ['issues/links.md', 'issues/fields.md', 'issues/images.md'];
    const runs = [];
    for (const file of files) {
      const issue = await renderIssueFile(file, { root: dir, config, templates });
      runs.push({ before: await runChecks(issue, opts), ctx: await checkContext(issue, opts) });
    }
    rmSync(dir, { recursive: true, force: true });
    const rules = new Set<string>();
    for (const { before, ctx } of runs) {
      expect(ctx.caniemail).toBeTypeOf('function');
      const after = sortFindings(
        withoutIgnored(
          RULES.flatMap((rule) => rule(ctx)),
          config.check.ignore,
        ),
      );
      expect(after).toEqual(before);
      expect(before.some((f) => f.line !== undefined)).toBe(true);
      for (const f of before) rules.add(f.rule);
    }
    // Findings from the issue, a template and the config all survived without their files.
    expect(rules.size).toBeGreaterThan(5);
  });

  it('gives the sample reader the whole inbox row', async () => {
    const dir = checkProject();
    const config = loadConfig(dir);
    const issue = await renderIssueFile('issues/2026-11.md', { root: dir, config });
    const ctx = await checkContext(issue, { config, root: dir, skipClientSupport: true });
    expect(ctx.caniemail).toBeUndefined();
    expect(ctx.sample.subject).toBe(issue.meta.subject);
    expect(ctx.sample.preheader.length).toBeGreaterThan(10);
    expect(ctx.sample.html).toContain(ctx.sample.preheader.slice(0, 20));
  });
});

/** `roundup check` and the build's preflight through the compiled CLI, as users run them. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/project.js';
import { checkProject, lineOf } from './helpers.js';

describe('roundup check (CLI)', () => {
  it('passes the sample issues (warnings only, exit 0)', () => {
    const dir = checkProject();
    const r = runCli(['check', 'issues/2026-11.md', 'issues/weekly-2026-47.md'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 issue\(s\) checked: 0 error\(s\), \d+ warning\(s\)/);
    expect(r.stdout).not.toMatch(/^Errors/m);
  });

  it('groups findings by severity, one line each with file:line, and exits 1', () => {
    const dir = checkProject();
    const r = runCli(['check', 'issues/links.md'], dir);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out.indexOf('Errors (7)')).toBeLessThan(out.indexOf('Warnings ('));
    expect(out).toContain(`issues/links.md:${lineOf(dir, 'issues/links.md', '[hash link](#)')}: link URL is a bare "#" placeholder`);
    expect(r.stderr.trim()).toBe('roundup: preflight found 7 error(s): fix them before sending');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('colours only on a terminal, not in a pipe or CI log (unless FORCE_COLOR)', () => {
    const dir = checkProject();
    const piped = runCli(['check', 'issues/links.md'], dir, { NO_COLOR: '', CI: '1', FORCE_COLOR: '' });
    expect(piped.stdout).toContain('Errors (');
    expect(piped.stdout).not.toContain('\x1b[');
    const forced = runCli(['check', 'issues/links.md'], dir, { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\x1b[31m');
  });

  it('prints a template problem shared by issues once, and counts it once', () => {
    const dir = checkProject();
    const footer = path.join(dir, 'templates/components/footer.mjml');
    writeFileSync(footer, readFileSync(footer, 'utf8').replace('{{organisation}}', '{{organisation}} {{recipient.departmnet}}'));
    const r = runCli(['check', 'issues/2026-11.md', 'issues/weekly-2026-47.md'], dir);
    const line = lineOf(dir, 'templates/components/footer.mjml', 'recipient.departmnet');
    expect(r.stdout).toContain(`templates/components/footer.mjml:${line}: unknown recipient field "recipient.departmnet"`);
    expect(r.stdout).toContain('(in 2 issues)');
    expect(r.stdout).toMatch(/2 issue\(s\) checked: 1 error\(s\)/);
    expect(r.stderr.trim()).toBe('roundup: preflight found 1 error(s): fix them before sending');
    expect(r.code).toBe(1);
  });

  it('--json prints machine-readable findings on stdout', () => {
    const dir = checkProject();
    const r = runCli(['check', '--json', 'issues/images.md', 'issues/2026-11.md'], dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      errors: number;
      issues: { file: string; findings: { severity: string; rule: string; file: string; line?: number }[] }[];
    };
    expect(json.ok).toBe(false);
    expect(json.issues.map((i) => i.file)).toEqual(['issues/images.md', 'issues/2026-11.md']);
    expect(json.issues[0].findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        rule: 'image-alt',
        file: 'issues/images.md',
        line: lineOf(dir, 'issues/images.md', 'chart.png'),
      }),
    );
    expect(json.issues[1].findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('reports an issue that cannot render as a located finding and checks the rest', () => {
    const dir = checkProject();
    const r = runCli(['check', '--json', 'issues/missing.md', 'issues/2026-11.md'], dir);
    const json = JSON.parse(r.stdout) as { issues: { findings: { rule: string; file: string }[] }[] };
    expect(json.issues[0].findings[0]).toMatchObject({ rule: 'render', file: 'issues/missing.md' });
    expect(json.issues).toHaveLength(2);
    expect(r.code).toBe(1);
  });
});

describe('roundup build runs the preflight', () => {
  it('prints check findings with file:line; fails on them only with --strict', () => {
    const dir = checkProject();
    const finding = `error issues/images.md:${lineOf(dir, 'issues/images.md', 'chart.png')}: image "https://img.fixture.example/chart.png" has no alt text`;
    const r = runCli(['build', 'issues/images.md'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(finding);
    const strict = runCli(['build', '--strict', 'issues/images.md'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(finding);
  });
});

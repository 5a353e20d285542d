/** Project rules are about the settings, not an issue: `roundup check` reports them once per run. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProjectChecks } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { makeProject, runCli } from '../helpers/project.js';
import { lineOf } from './helpers.js';

const configFile = (dir: string) => path.join(dir, 'roundup.config.yaml');
function withConfig(edit: (text: string) => string): string {
  const dir = makeProject({ withSampleIssues: true });
  writeFileSync(configFile(dir), edit(readFileSync(configFile(dir), 'utf8')));
  return dir;
}
const brief = (dir: string) =>
  runProjectChecks({ config: loadConfig(dir), root: dir }).map((f) => `${f.rule} ${path.relative(dir, path.resolve(f.file))}:${f.line}`);

describe('project rules', () => {
  it('warn about a missing return path at the From address, and a DKIM domain that does not align at its line', () => {
    const dir = withConfig((t) => `${t}\ndkim:\n  domain: other.example\n  selector: s1\n`);
    expect(brief(dir)).toEqual([
      `bounces-address roundup.config.yaml:${lineOf(dir, 'roundup.config.yaml', 'from:')}`,
      `dkim-alignment roundup.config.yaml:${lineOf(dir, 'roundup.config.yaml', 'domain: other.example')}`,
    ]);
  });

  it('are quiet when the settings are right, and honour check.ignore', () => {
    const ok = withConfig(
      (t) => `${t}\nbounces:\n  address: bounces@hartwellfinch.example\ndkim:\n  domain: hartwellfinch.example\n  selector: s1\n`,
    );
    expect(brief(ok)).toEqual([]);
    const ignored = withConfig((t) => t.replace(/^ {2}ignore:\n/m, '  ignore:\n    - bounces-address\n'));
    expect(brief(ignored)).toEqual([]);
  });

  it('appear once in roundup check, however many issues there are', () => {
    const dir = withConfig((t) => t);
    const r = runCli(['check', '--json'], dir);
    const json = JSON.parse(r.stdout) as { issues: { findings: { rule: string }[] }[] };
    expect(json.issues.length).toBeGreaterThan(1);
    expect(json.issues.flatMap((i) => i.findings).filter((f) => f.rule === 'bounces-address')).toHaveLength(1);
  });
});

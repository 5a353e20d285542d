import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks, withoutIgnored, type Finding } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { renderIssue } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { REPO } from '../helpers/project.js';

const f = (severity: Finding['severity'], rule: string, message: string): Finding => ({ severity, rule, message, file: 'x.md' });

describe('config check.ignore', () => {
  it('drops only the named warnings, by rule or rule:feature, never errors', () => {
    const findings = [
      f('warning', 'client-support', '"@media" is not supported by Outlook (Windows)'),
      f('warning', 'client-support', '"background-image" is not supported by Outlook (Windows)'),
      f('warning', 'link-http', 'http: link'),
      f('error', 'link-http', 'made-up error with the same rule id'),
    ];
    const kept = withoutIgnored(findings, ['client-support:@media', 'link-http']);
    expect(kept.map((k) => k.message)).toEqual([
      '"background-image" is not supported by Outlook (Windows)',
      'made-up error with the same rule id',
    ]);
    expect(withoutIgnored(findings, [])).toEqual(findings);
  });

  it('silences the sample layout’s accepted @media warning, which is reported otherwise', async () => {
    const config = loadConfig(REPO);
    const file = 'issues/2026-11.md';
    const issue = await renderIssue(readFileSync(path.join(REPO, file), 'utf8'), file, { config, templates: loadTemplates(REPO) });
    const media = (fs: Finding[]) => fs.filter((x) => x.rule === 'client-support' && x.message.includes('"@media"'));
    expect(config.check.ignore).toContain('client-support:@media');
    expect(media(await runChecks(issue, { config, root: REPO }))).toEqual([]);
    const strict = { ...config, check: { ignore: [] } };
    expect(media(await runChecks(issue, { config: strict, root: REPO }))).toHaveLength(1);
  });
});

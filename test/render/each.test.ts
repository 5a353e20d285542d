import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { RoundupError } from '../../src/errors.js';
import { renderEach } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { makeProject } from '../helpers/project.js';

describe('renderEach', () => {
  it('renders every file, hands each to the caller, and collects mistakes without stopping', async () => {
    const root = makeProject({ withSampleIssues: true });
    writeFileSync(path.join(root, 'issues/broken.md'), '---\ntitle: x\n---\nno subject or date\n');
    const opts = { root, config: loadConfig(root), templates: loadTemplates(root) };
    const used: string[] = [];
    const errors: [string, RoundupError][] = [];
    const failed = await renderEach(
      ['issues/2026-11.md', 'issues/broken.md', 'issues/missing.md', 'issues/weekly-2026-47.md'],
      opts,
      (issue) => {
        used.push(issue.slug);
      },
      (e, file) => errors.push([file, e]),
    );
    expect(used).toEqual(['2026-11', 'weekly-2026-47']);
    expect(failed).toBe(2);
    expect(errors.map(([file]) => file)).toEqual(['issues/broken.md', 'issues/missing.md']);
    expect(errors[0][1].format()).toMatch(/broken\.md:\d+: /);
    expect(errors[1][1].message).toMatch(/no such issue file/);
  });

  it('counts a mistake the caller throws, and lets a bug through', async () => {
    const root = makeProject({ withSampleIssues: true });
    const opts = { root, config: loadConfig(root), templates: loadTemplates(root) };
    const { RoundupError, ErrorCodes } = await import('../../src/errors.js');
    const seen: string[] = [];
    const failed = await renderEach(
      ['issues/2026-11.md'],
      opts,
      () => {
        throw new RoundupError(ErrorCodes.CHECK, 'caller refused');
      },
      (e) => seen.push(e.message),
    );
    expect([failed, seen]).toEqual([1, ['caller refused']]);
    await expect(
      renderEach(
        ['issues/2026-11.md'],
        opts,
        () => {
          throw new TypeError('a bug');
        },
        () => {},
      ),
    ).rejects.toThrow(TypeError);
  });
});

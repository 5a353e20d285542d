import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { checkLayers, findCycles, importsOf, layerGraph, layerOf } from '../../scripts/check-layers.mjs';

type Step = { from: string; to: string; where: string };
const cyclesOf = (files: Record<string, string>): Step[][] => findCycles(layerGraph(Object.entries(files)));

describe('check-layers', () => {
  it('names a layer by its folder under src/, or by the file when it sits in src/', () => {
    expect(layerOf('render/index.ts')).toBe('render/');
    expect(layerOf('send/deep/x.ts')).toBe('send/');
    expect(layerOf('config.ts')).toBe('config.ts');
  });

  it('finds static, type-only, re-export and dynamic imports with their lines, and skips packages', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "import pc from 'picocolors';",
      'async function f() {',
      "  return import('../d/d.js');",
      '}',
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { spec: './a.js', line: 1 },
      { spec: '../b/b.js', line: 2 },
      { spec: './c.js', line: 3 },
      { spec: '../d/d.js', line: 6 },
    ]);
  });

  it('reports a two-folder cycle with the import that makes each step', () => {
    const cycles = cyclesOf({
      'issue/frontmatter.ts': "import type { IssueMeta } from '../render/types.js';",
      'render/types.ts': 'export interface X {}',
      'render/index.ts': "\nimport { parse } from '../issue/frontmatter.js';",
    });
    expect(cycles).toEqual([
      [
        { from: 'issue/', to: 'render/', where: 'issue/frontmatter.ts:1' },
        { from: 'render/', to: 'issue/', where: 'render/index.ts:2' },
      ],
    ]);
  });

  it('counts a lazy import() and a file in src/ as part of a cycle', () => {
    const cycles = cyclesOf({
      'project.ts': "import { loadTemplates } from './render/templates.js';",
      'render/templates.ts': "const p = () => import('../state/db.js');",
      'state/db.ts': "import { listIssueFiles } from '../project.js';",
    });
    expect(cycles).toHaveLength(1);
    expect(cycles[0].map((s) => s.from)).toEqual(['project.ts', 'render/', 'state/']);
  });

  it('accepts imports that only go down, and cycles inside one folder (Biome checks those)', () => {
    expect(
      cyclesOf({
        'send/a.ts': "import { b } from './b.js';\nimport { C } from '../config.js';",
        'send/b.ts': "import { a } from './a.js';",
        'config.ts': "import { E } from './errors.js';",
        'errors.ts': '',
      }),
    ).toEqual([]);
  });

  it('finds no cycle between the folders of this project', () => {
    expect(checkLayers(path.resolve(import.meta.dirname, '../../src'))).toEqual([]);
  });
});

/**
 * What loading a module costs: the packages its static imports pull in, transitively (dynamic
 * `import()` and type-only imports load nothing up front). The moves of issue 12 exist for these.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Packages loaded by importing `rel` (a path under src/), through every static import. */
function packagesLoadedBy(rel: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const st of sf.statements) {
      let spec: string | undefined;
      if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly) {
        const named = st.importClause?.namedBindings;
        const allTypes =
          st.importClause && !st.importClause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
        if (!allTypes) spec = (st.moduleSpecifier as ts.StringLiteral).text;
      } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) {
        spec = (st.moduleSpecifier as ts.StringLiteral).text;
      }
      if (!spec) continue;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:'))
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(path.join(SRC, rel));
  return packages;
}

describe('what a module loads', () => {
  it('signing or checking an unsubscribe token loads no SQLite driver, nor does loading the secret', () => {
    expect(packagesLoadedBy('unsubscribe/token.ts')).toEqual(new Set());
    expect(packagesLoadedBy('unsubscribe/secret.ts')).not.toContain('better-sqlite3');
  });

  it('publishing pages, feeds and new issues loads no MJML', () => {
    for (const f of ['publish/archive-site.ts', 'publish/feeds.ts', 'publish/new-issue.ts', 'publish/server.ts', 'naming.ts']) {
      expect([f, packagesLoadedBy(f).has('mjml')]).toEqual([f, false]);
    }
  });

  it('the send interfaces load nothing; the outbox loads neither the renderer nor SQLite', () => {
    expect(packagesLoadedBy('send/types.ts')).toEqual(new Set());
    const outbox = packagesLoadedBy('send/outbox.ts');
    for (const p of ['mjml', 'better-sqlite3', 'handlebars']) expect(outbox).not.toContain(p);
  });

  it('rendering loads no image library: sharp loads only when a photo must be processed', () => {
    expect(packagesLoadedBy('render/index.ts')).not.toContain('sharp');
    expect(packagesLoadedBy('images/index.ts')).not.toContain('sharp');
  });

  it('the command table loads no package: each command loads when it runs', () => {
    expect(packagesLoadedBy('commands/index.ts')).toEqual(new Set());
    // And a sanity check that the walk sees packages at all.
    expect(packagesLoadedBy('render/mjml.ts')).toContain('mjml');
  });
});

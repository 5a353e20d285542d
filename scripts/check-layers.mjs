#!/usr/bin/env node
/**
 * No import cycles between the folders of src/ (Biome's noImportCycles covers files; this
 * covers the layers). Each folder directly under src/ is one node, and so is each file directly
 * in src/ (config.ts, errors.ts…): `render/` may use `config.ts` and `issue/`, but then nothing
 * in `issue/` or `config.ts` may import from `render/`. Static, type-only, re-export and dynamic
 * `import()` edges all count: a lazy import still ties the two folders together.
 *
 * Run by `npm run lint`. Prints each cycle with one import per step (file:line) and exits 1.
 * The functions are exported for test/scripts/check-layers.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The layer a file belongs to: its first folder under src/, or the file itself when it sits in src/. */
export function layerOf(rel) {
  const parts = rel.split(/[\\/]/);
  return parts.length > 1 ? `${parts[0]}/` : parts[0];
}

/** Relative imports of one file's text: `{ spec, line }` (1-based), including `import()` and `export … from`. */
export function importsOf(text) {
  const info = ts.preProcessFile(text, true, true);
  const lineStarts = ts.computeLineStarts(text);
  return info.importedFiles
    .filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({ spec: f.fileName, line: ts.computeLineAndCharacterOfPosition(lineStarts, f.pos).line + 1 }));
}

/** `{ 'render/': { 'issue/': 'render/index.ts:21', … }, … }`: one example import per layer edge. */
export function layerGraph(files) {
  const graph = new Map();
  for (const [rel, text] of files) {
    const from = layerOf(rel);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const { spec, line } of importsOf(text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
      if (target.startsWith('..')) continue; // outside src/
      const to = layerOf(target.replace(/\.js$/, '.ts'));
      if (to === from) continue;
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, `${rel}:${line}`);
    }
  }
  return graph;
}

/** Every cycle as a list of steps `{ from, to, where }`, one per strongly connected group of layers. */
export function findCycles(graph) {
  // Tarjan's strongly connected components; any component with more than one layer is a cycle.
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return groups.map((group) => shortestLoop(graph, new Set(group), group.sort()[0]));
}

/** One concrete loop through `start` inside the group (breadth-first, so the shortest). */
function shortestLoop(graph, group, start) {
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!group.has(w) || prev.has(w)) continue;
      prev.set(w, v);
      if (w === start) queue.length = 0;
      else queue.push(w);
    }
  }
  const steps = [];
  let to = start;
  do {
    const from = prev.get(to);
    steps.unshift({ from, to, where: graph.get(from).get(to) });
    to = from;
  } while (to !== start);
  return steps;
}

function listTs(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(full, base));
    else if (e.name.endsWith('.ts')) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

export function checkLayers(srcDir) {
  const files = listTs(srcDir).map((rel) => [rel, readFileSync(path.join(srcDir, rel), 'utf8')]);
  return findCycles(layerGraph(files));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = path.resolve(process.argv[2] ?? 'src');
  const cycles = checkLayers(src);
  for (const steps of cycles) {
    process.stderr.write(`import cycle between src/ folders: ${[...steps.map((s) => s.from), steps[0].from].join(' → ')}\n`);
    for (const s of steps) process.stderr.write(`  ${s.from} → ${s.to}: src/${s.where}\n`);
  }
  if (cycles.length) {
    process.stderr.write('a lower layer must not import a higher one: move the shared piece down (see README "Where things live")\n');
    process.exitCode = 1;
  }
}

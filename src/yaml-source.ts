/**
 * YAML with line numbers, shared by the config file and issue front-matter.
 *
 * gray-matter splits the front-matter, but its js-yaml result has no positions; the `yaml`
 * package's Document keeps a range for every node, so a zod issue at path ["date"] can be
 * reported as `file:4`.
 */
import { isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { RoundupError, type ErrorCode } from './errors.js';

export interface YamlSource {
  data: unknown;
  /** 1-based line of the node at `path` (or of its nearest existing parent), offset applied. */
  lineOf(path: readonly PropertyKey[]): number;
}

/**
 * Parse YAML; `lineOffset` is the number of lines before the YAML text in its file
 * (1 for front-matter, which starts after the opening `---`).
 */
export function parseYaml(text: string, file: string, code: ErrorCode, lineOffset = 0): YamlSource {
  const lc = new LineCounter();
  const tooDeep = (line: number) =>
    new RoundupError(code, 'YAML nested too deeply: a value inside more than a few hundred brackets or indents is not settings', {
      file,
      line: line + lineOffset,
    });
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(1);
    throw e;
  }
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
    if (/call stack/i.test(err.message)) throw tooDeep(line);
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new RoundupError(code, `YAML syntax error: ${msg}`, { file, line: line + lineOffset });
  }
  let data: unknown;
  try {
    // maxAliasCount: an "alias bomb" (anchors referring to anchors) would expand exponentially.
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(1);
    const message = e instanceof Error ? e.message : String(e);
    const unresolved = /unresolved alias/i.exec(message) ? /:\s*(\S+)\s*$/.exec(message)?.[1] : undefined;
    const alias = firstAlias(doc, unresolved) ?? firstAlias(doc);
    const line = alias?.range ? lc.linePos(alias.range[0]).line : 1;
    const name = alias ? `*${alias.source}` : 'an alias';
    const why = /unresolved/i.test(message)
      ? `YAML alias ${name} refers to no anchor (&${alias?.source ?? 'name'}) defined before it`
      : `YAML aliases expand too much (${name}): write the values out instead of repeating anchors`;
    throw new RoundupError(code, why, { file, line: line + lineOffset });
  }
  const lineOf = (path: readonly PropertyKey[]): number => {
    let node: unknown = doc.contents;
    let best = 1;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (keyNode?.range) best = lc.linePos(keyNode.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        const r = (node as Node | undefined)?.range;
        if (r) best = lc.linePos(r[0]).line;
      } else break;
    }
    return best + lineOffset;
  };
  return { data, lineOf };
}

/** The first alias node (named `name`, if given): where an alias problem is reported. */
function firstAlias(doc: Document.Parsed, name?: string): { source: string; range?: [number, number, number] | null } | undefined {
  let found: { source: string; range?: [number, number, number] | null } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name !== undefined && node.source !== name) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Validate with zod; the first problem becomes one located RoundupError. */
export function validate<S extends z.ZodType>(schema: S, src: YamlSource, file: string, code: ErrorCode, what: string): z.output<S> {
  const res = schema.safeParse(src.data);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const path = issue.path;
  const key = path.map(String).join('.');
  const keyText = key ? `${what} "${key}" ` : `${what} `;
  let message = issue.message;
  if (issue.code === 'invalid_type' && valueAt(src.data, path) === undefined) {
    message = `is required: add a "${String(path[path.length - 1])}:" line`;
  }
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return fail(`${what} has unknown key "${keys[0]}": check its spelling`, src.lineOf([...path, keys[0]]));
  }
  function fail(m: string, line: number): never {
    throw new RoundupError(code, m, { file, line });
  }
  return fail(`${keyText}${message}`, src.lineOf(path));
}

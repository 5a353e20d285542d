/**
 * Loads the template folder once (IO at the edge): Handlebars MJML layouts
 * (templates/<name>.mjml), their components (templates/components/*.mjml, used as
 * `{{> header}}`), and Markdown partials for issue bodies (templates/partials/*.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ErrorCodes, RoundupError } from '../errors.js';
import type { PartialSource } from '../issue/partials.js';
import { FieldTable } from './merge.js';

export interface TemplateSet {
  root: string;
  layouts: Map<string, Handlebars.TemplateDelegate>;
  /** Markdown partials by name. */
  partials: Map<string, PartialSource>;
  /** Field references found in layouts/components; cloned per issue. */
  fields: FieldTable;
  /** Display path of a layout, for messages. */
  layoutFile(name: string): string;
  /**
   * The text of every template file read, by display path: layouts, then components, then
   * Markdown partials. The preflight locates findings in them without reading files again.
   */
  sources: ReadonlyMap<string, string>;
}

const rel = (p: string) => path.relative(process.cwd(), p) || p;

function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
}

/** Wrap Handlebars parse errors ("Parse error on line 3") as located RoundupErrors. */
function compileOrThrow(hb: typeof Handlebars, source: string, file: string): Handlebars.TemplateDelegate {
  try {
    // Compile eagerly (Handlebars.compile is lazy) so a syntax error is reported here with its
    // file, and do it once: precompile → spec → template, as the Handlebars CLI does.
    const spec = hb.precompile(source, { strict: false, preventIndent: true });
    return hb.template(new Function(`return ${spec}`)());
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const line = /line (\d+)/.exec(msg)?.[1];
    throw new RoundupError(ErrorCodes.TEMPLATE, `template error: ${msg.split('\n')[0]}`, { file, line: line ? Number(line) : undefined });
  }
}

export function loadTemplates(root: string): TemplateSet {
  const dir = path.join(root, 'templates');
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('not', (a: unknown) => !a);
  const fields = new FieldTable();
  const layoutSources = new Map<string, string>();
  const componentSources = new Map<string, string>();
  const read = (file: string, into: Map<string, string>) => {
    const text = readFileSync(file, 'utf8');
    into.set(rel(file), text);
    return text;
  };

  const componentsDir = path.join(dir, 'components');
  for (const f of listFiles(componentsDir, '.mjml')) {
    const file = path.join(componentsDir, f);
    const src = fields.mark(read(file, componentSources));
    hb.registerPartial(f.replace(/\.mjml$/, ''), compileOrThrow(hb, src, rel(file)));
  }
  const layouts = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of listFiles(dir, '.mjml')) {
    const file = path.join(dir, f);
    layouts.set(f.replace(/\.mjml$/, ''), compileOrThrow(hb, fields.mark(read(file, layoutSources)), rel(file)));
  }
  const partials = new Map<string, PartialSource>();
  const partialsDir = path.join(dir, 'partials');
  for (const f of listFiles(partialsDir, '.md')) {
    const file = path.join(partialsDir, f);
    partials.set(f.replace(/\.md$/, ''), { file: rel(file), text: readFileSync(file, 'utf8') });
  }
  const sources = new Map([...layoutSources, ...componentSources, ...[...partials.values()].map((p) => [p.file, p.text] as const)]);
  return { root, layouts, partials, fields, layoutFile: (name) => rel(path.join(dir, `${name}.mjml`)), sources };
}

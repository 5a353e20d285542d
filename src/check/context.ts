/**
 * Building a rule's view of one issue, once: the sample reader's email, the source texts that
 * locate findings, the recipient columns and (when wanted) the client-support data. All the
 * preflight's IO is here: the config text and the example list, read once per issue.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE, type Config } from '../config.js';
import { ErrorCodes } from '../errors.js';
import { compileMerge, fill, resolveValues } from '../render/merge.js';
import { personalise } from '../render/index.js';
import { loadTemplates } from '../render/templates.js';
import type { RenderedIssue } from '../render/types.js';
import { sampleValues } from '../sample.js';
import { parseYaml } from '../yaml-source.js';
import { knownRecipientFields } from './fields.js';
import { SourceIndex } from './sources.js';
import type { CheckContext, CheckOptions, ProjectContext } from './types.js';

/** The config's text and lines: read once, shared by the project rules and every issue's context. */
export function projectContext(config: Config, root: string): ProjectContext & { configText?: string } {
  const configFile = path.relative(process.cwd(), path.join(root, CONFIG_FILE)) || CONFIG_FILE;
  let configText: string | undefined;
  let configLine: ProjectContext['configLine'] = () => undefined;
  try {
    configText = readFileSync(path.join(root, CONFIG_FILE), 'utf8');
    const yaml = parseYaml(configText, configFile, ErrorCodes.CONFIG);
    configLine = (keys) => yaml.lineOf(keys);
  } catch {
    // Config already loaded by the caller; without its text (or with one that no longer
    // parses) findings there have no line.
  }
  return { config, configFile, configLine, configText };
}

export async function checkContext(issue: RenderedIssue, opts: CheckOptions): Promise<CheckContext> {
  const { config, root } = opts;
  const values = sampleValues(config);
  const resolved = resolveValues(issue.refs, values);
  const templates = opts.templates ?? loadTemplates(root);
  const { configFile, configLine, configText } = projectContext(config, root);
  const texts = new Map(templates.sources);
  texts.set(issue.file, issue.source);
  if (configText !== undefined) texts.set(configFile, configText);
  return {
    issue,
    config,
    sample: personalise(issue, values),
    forSample: (s) => fill(compileMerge(s, issue.fieldTable), resolved, false),
    knownFields: opts.knownFields ?? knownRecipientFields(config, root),
    src: new SourceIndex(texts, [...templates.sources.keys()]),
    layoutFile: templates.layoutFile(issue.meta.template),
    configFile,
    configLine,
    caniemail: opts.skipClientSupport ? undefined : (await import('caniemail')).caniemail,
  };
}

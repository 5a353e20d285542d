/**
 * Merge-field rules: every `{{recipient.x}}` must name a column readers have (error: the
 * fallback, or nothing, would go to every reader), and no `{{…}}` may survive into the output.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { readList } from '../lists/index.js';
import type { RenderedIssue } from '../render/types.js';
import { escapeRegExp } from './sources.js';
import type { CheckContext, Finding } from './types.js';

/** email, name, the sample recipient's keys and the example list's columns. */
export function knownRecipientFields(config: Config, root: string): string[] {
  const fields = new Set(['email', 'name', ...Object.keys(config.sampleRecipient)]);
  try {
    for (const c of readList(path.resolve(root, config.exampleList), root).columns) fields.add(c);
  } catch {
    // No example list (or an unreadable one, which `lists check` reports): the defaults stand.
  }
  return [...fields];
}

/** The Markdown files an issue was built from: the issue, then the partials it includes. */
function markdownFiles(issue: RenderedIssue): string[] {
  const files = new Set<string>([issue.file]);
  for (const s of issue.model.sections) files.add(s.pos.file);
  return [...files];
}

export function checkFields({ issue, knownFields: known, src }: CheckContext): Finding[] {
  const out: Finding[] = [];
  const knownSet = new Set(known);
  for (const name of issue.fields) {
    if (knownSet.has(name)) continue;
    const re = new RegExp(`\\{\\{\\s*recipient\\.${escapeRegExp(name)}\\b`);
    const at = src.find([...markdownFiles(issue), ...src.templateFiles()], re) ?? { file: issue.file };
    out.push({
      severity: 'error',
      rule: 'unknown-field',
      message: `unknown recipient field "recipient.${name}": readers have only ${known.join(', ')}; fix the spelling or add the column to the list`,
      ...at,
    });
  }
  return out;
}

/** `{{…}}` left in any part of the personalised output, e.g. `{{ name }}` typed without `recipient.`. */
export function checkUnresolved({ issue, sample: out, src, configFile }: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const sources = [...markdownFiles(issue), configFile, ...src.templateFiles()];
  for (const text of [out.subject, out.preheader, out.text, out.html]) {
    for (const m of text.matchAll(/\{\{([^{}\n]{0,80})\}\}/g)) {
      const inner = m[1].trim();
      if (seen.has(inner)) continue;
      seen.add(inner);
      const re = new RegExp(`\\{\\{\\s*${escapeRegExp(inner.replace(/&quot;/g, '"'))}\\s*\\}\\}`);
      const at = src.find(sources, re) ?? { file: issue.file };
      findings.push({
        severity: 'error',
        rule: 'unresolved-merge',
        message: `"{{${inner}}}" would be sent literally: recipient fields are written {{recipient.name}} (optionally {{recipient.name | "fallback"}})`,
        ...at,
      });
    }
  }
  if ([out.html, out.text, out.subject].some((s) => issue.fieldTable.hasMarker(s))) {
    findings.push({
      severity: 'error',
      rule: 'unresolved-merge',
      message: 'a merge marker survived personalisation (a renderer bug): report it with this issue file',
      file: issue.file,
    });
  }
  return findings;
}

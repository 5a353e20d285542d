/** Human-readable report of a parsed list, shared by `lists check` and the pre-send summary. */
import { visible } from '../visible.js';
import type { ParsedList } from './parse.js';

export interface ListSummary {
  file: string;
  rows: number;
  valid: number;
  invalid: number;
  empty: number;
  duplicates: number;
  columns: string[];
}

export function listSummary(list: ParsedList): ListSummary {
  return {
    file: list.file,
    rows: list.rows,
    valid: list.recipients.length,
    invalid: list.invalid.length,
    empty: list.empty.length,
    duplicates: list.duplicates.length,
    columns: list.columns,
  };
}

/** Lines to print; every problem carries `file:line` so an editor can jump to it. */
export function formatListReport(list: ParsedList, limit = 50): string[] {
  const s = listSummary(list);
  // Every value from the file (column names, addresses, the file name) shown, never obeyed.
  const file = visible(s.file);
  const out = [
    `${file}: ${s.rows} rows, ${s.valid} readers to send to` +
      ` (${s.invalid} invalid, ${s.empty} empty, ${s.duplicates} duplicate${s.duplicates === 1 ? '' : 's'})`,
    `columns: ${s.columns.map(visible).join(', ')}`,
  ];
  const problems = [
    ...list.invalid.map((p) => ({ line: p.line, text: `invalid: ${visible(p.message)}` })),
    ...list.empty.map((line) => ({ line, text: 'empty row' })),
    ...list.duplicates.map((d) => ({ line: d.line, text: `duplicate of line ${d.firstLine}: ${visible(d.email)} (first copy kept)` })),
  ].sort((a, b) => a.line - b.line);
  for (const p of problems.slice(0, limit)) out.push(`${file}:${p.line}: ${p.text}`);
  if (problems.length > limit) out.push(`… and ${problems.length - limit} more`);
  return out;
}

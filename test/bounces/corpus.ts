/**
 * The labelled bounce corpus (`shared/bounce-corpus/`, 216 real messages from sisimai's
 * set-of-emails) and the figures issue 9 asks for.
 *
 * Held-out split: a fixed ~30% of the files (by a hash of the file name) that the rules were
 * not written against; the report gives figures for the development part, the held-out part
 * and all, so overfitting to the development files would show as a gap.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse, type BounceKind } from '../../src/bounces/classify.js';

export interface Label {
  kind: BounceKind;
  reason: string;
  status: string;
}

/** shared/bounce-corpus beside the repository (main checkout or a worktree), or $ROUNDUP_BOUNCE_CORPUS. */
export function findCorpus(from: string): string | undefined {
  if (process.env.ROUNDUP_BOUNCE_CORPUS) return process.env.ROUNDUP_BOUNCE_CORPUS;
  let dir = path.resolve(from);
  for (let i = 0; i < 6; i++) {
    const c = path.join(dir, 'shared', 'bounce-corpus');
    if (existsSync(path.join(c, 'labels.json'))) return c;
    dir = path.dirname(dir);
  }
  return undefined;
}

export const isHeldOut = (file: string) => createHash('sha256').update(file).digest()[0] < 77;

export interface Figures {
  messages: number;
  exact: number;
  hardPrecision: number;
  hardTp: number;
  hardPredicted: number;
  complaintRecall: number;
  wrongSuppress: number;
  wrongSuppressRate: number;
}

export interface Row {
  file: string;
  expected: string;
  got: string;
  heldOut: boolean;
}

const SUPPRESSING = new Set<BounceKind>(['hard', 'complaint']);

export function evaluate(dir: string): { rows: Row[]; dev: Figures; held: Figures; all: Figures } {
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')) as Record<string, Label[]>;
  const rows: (Row & { exp: Set<BounceKind>; act: Set<BounceKind> })[] = [];
  for (const [file, ls] of Object.entries(labels)) {
    const a = analyse(readFileSync(path.join(dir, file)));
    const exp = new Set(ls.map((l) => l.kind));
    const act = new Set(a.recipients.map((r) => r.kind));
    if (!act.size) act.add(a.kind);
    if (!exp.size) exp.add('unrelated');
    rows.push({ file, exp, act, heldOut: isHeldOut(file), expected: [...exp].sort().join('+'), got: [...act].sort().join('+') });
  }
  const figures = (rs: typeof rows): Figures => {
    const eq = rs.filter((r) => r.expected === r.got).length;
    const hardPredicted = rs.filter((r) => r.act.has('hard')).length;
    const hardTp = rs.filter((r) => r.act.has('hard') && r.exp.has('hard')).length;
    const complaints = rs.filter((r) => r.exp.has('complaint'));
    const wrong = rs.filter((r) => [...r.act].some((k) => SUPPRESSING.has(k) && !r.exp.has(k))).length;
    return {
      messages: rs.length,
      exact: eq / rs.length,
      hardPrecision: hardPredicted ? hardTp / hardPredicted : 1,
      hardTp,
      hardPredicted,
      complaintRecall: complaints.length ? complaints.filter((r) => r.act.has('complaint')).length / complaints.length : 1,
      wrongSuppress: wrong,
      wrongSuppressRate: wrong / rs.length,
    };
  };
  return {
    rows: rows.map(({ file, expected, got, heldOut }) => ({ file, expected, got, heldOut })),
    dev: figures(rows.filter((r) => !r.heldOut)),
    held: figures(rows.filter((r) => r.heldOut)),
    all: figures(rows),
  };
}

export function formatFigures(name: string, f: Figures): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return `${name.padEnd(10)} n=${String(f.messages).padStart(3)}  exact ${pct(f.exact)}  hard precision ${pct(f.hardPrecision)} (${f.hardTp}/${f.hardPredicted})  complaint recall ${pct(f.complaintRecall)}  wrongly suppressing ${f.wrongSuppress} (${pct(f.wrongSuppressRate)})`;
}

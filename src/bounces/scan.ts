/**
 * `roundup bounces scan`: read returned mail, classify it (classify.ts), match it to the send
 * record it is about, record the event and apply the suppression policy (state/bounces.ts).
 *
 * Matching never guesses: the VERP reference in the address the report came to (or in the
 * returned message's Return-Path), else the returned message's Message-ID (or the one an
 * auto-reply answers), else the failed recipient's most recent send. Anything else is reported
 * as unmatched and left where it is.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../state/store.js';
import { type EventKind, type MatchedReader, readerById, readerByLatestSend, readerByMessageId, recordBounce } from '../state/bounces.js';
import { type Analysis, analyse, type BounceKind, type BounceRecipient } from './classify.js';
import { parseVerp } from './verp.js';

export interface ScanMessage {
  /** The message's file path, `mbox#n`, `mailbox/uid` for IMAP, or `-` for stdin. */
  file: string;
  raw: Buffer;
}

export interface ScannedMessage {
  file: string;
  kind: BounceKind;
  recipients: { address: string; status: string; kind: BounceKind; reason: string; diagnostic: string }[];
  matched: { issue: string; list: string; email: string } | null;
  /** How it was matched (verp, message-id, recipient). */
  matchedBy?: string;
  /** False when this report had been processed before (nothing new recorded). */
  recorded: boolean;
  /** Suppression applied now (hard-bounce, complaint, soft-bounce, unsubscribe). */
  suppressed: string[];
}

export interface ScanContext {
  /** Absent in a dry run on a project with no send state yet: nothing was sent, nothing matches. */
  store?: Store;
  config: Pick<Config, 'bounces'>;
  /** Absent when a dry run finds no signing secret (it never makes one): no VERP address verifies. */
  secret?: Buffer;
  dryRun: boolean;
}

const EVENT_KINDS = new Set<BounceKind>(['hard', 'soft', 'complaint', 'auto-reply', 'delivered', 'unsubscribe']);

/** The report's identity for idempotency: its Message-ID, else its bytes. */
export function messageKey(a: Pick<Analysis, 'messageId'>, raw: Buffer): string {
  return a.messageId ? `id:${a.messageId.toLowerCase()}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

interface Match {
  reader: MatchedReader;
  /** What this reader's event is. */
  recipient: BounceRecipient;
}

async function matchReaders(a: Analysis, ctx: ScanContext): Promise<{ kind: BounceKind; matches: Match[] }> {
  const { store, config, secret } = ctx;
  if (!store) return { kind: a.kind, matches: [] };
  const base = config.bounces.address;
  // 1. A VERP address: where the report was sent, or the returned message's envelope sender.
  if (base && secret) {
    for (const addr of [...a.addressedTo, ...(a.original.returnPath ? [a.original.returnPath] : [])]) {
      const v = parseVerp(addr, base, secret);
      if (!v) continue;
      const r = await readerById(store, v.id);
      if (!r) continue;
      const reader = { ...r, matchedBy: 'verp' as const };
      if (v.kind === 'unsubscribe') {
        return {
          kind: 'unsubscribe',
          matches: [{ reader, recipient: { address: r.email, status: '', kind: 'unsubscribe', reason: 'mailto', diagnostic: a.subject } }],
        };
      }
      if (a.kind === 'unrelated') return { kind: a.kind, matches: [] };
      return { kind: a.kind, matches: [{ reader, recipient: recipientFor(a, r.email) }] };
    }
  }
  if (a.kind === 'unrelated') return { kind: a.kind, matches: [] };
  // 2. Our Message-ID in the returned headers (or the one an auto-reply answers).
  for (const id of [...(a.original.messageId ? [a.original.messageId] : []), ...a.references]) {
    const r = await readerByMessageId(store, id);
    if (r) return { kind: a.kind, matches: [{ reader: { ...r, matchedBy: 'message-id' }, recipient: recipientFor(a, r.email) }] };
  }
  // 3. The failed recipient's most recent send (auto-replies name the sender, not a recipient of ours).
  const matches: Match[] = [];
  if (a.kind !== 'auto-reply') {
    for (const rec of a.recipients) {
      if (!rec.address) continue;
      const r = await readerByLatestSend(store, rec.address);
      if (r) matches.push({ reader: { ...r, matchedBy: 'recipient' }, recipient: rec });
    }
  }
  return { kind: a.kind, matches };
}

/** The report's verdict about this reader: their own line, else the report's overall kind. */
function recipientFor(a: Analysis, email: string): BounceRecipient {
  const own = a.recipients.find((r) => r.address.toLowerCase() === email.toLowerCase());
  if (own) return own;
  const worst = a.recipients.find((r) => r.kind === a.kind) ?? a.recipients[0];
  return {
    address: email,
    status: worst?.status ?? '',
    kind: a.kind,
    reason: worst?.reason ?? '',
    diagnostic: worst?.diagnostic ?? '',
    reputation: worst?.reputation,
  };
}

/** Classify, match and (unless dry-run) record one message. */
export async function scanOne(m: ScanMessage, ctx: ScanContext): Promise<ScannedMessage> {
  const a = analyse(m.raw);
  const { kind, matches } = await matchReaders(a, ctx);
  const recipients = (kind === 'unsubscribe' ? matches.map((x) => x.recipient) : a.recipients).map((r) => ({
    address: r.address,
    status: r.status,
    kind: r.kind,
    reason: r.reason,
    diagnostic: r.diagnostic,
  }));
  const first = matches[0]?.reader;
  const out: ScannedMessage = {
    file: m.file,
    kind,
    recipients,
    matched: first ? { issue: first.issue, list: first.list, email: first.email } : null,
    matchedBy: first?.matchedBy,
    recorded: false,
    suppressed: [],
  };
  if (ctx.dryRun || !matches.length || !ctx.store) return out;
  const key = messageKey(a, m.raw);
  for (const { reader, recipient } of matches) {
    if (!EVENT_KINDS.has(recipient.kind)) continue;
    const res = await recordBounce(
      ctx.store,
      {
        messageKey: key,
        reader,
        kind: recipient.kind as EventKind,
        reason: recipient.reason,
        status: recipient.status,
        diagnostic: recipient.diagnostic,
        reputation: recipient.reputation === true,
      },
      ctx.config.bounces,
    );
    out.recorded ||= res.recorded;
    if (res.suppressed) out.suppressed.push(res.suppressed);
  }
  return out;
}

export interface ScanSummary {
  messages: ScannedMessage[];
  byKind: Partial<Record<BounceKind, number>>;
  suppressed: number;
  duplicates: number;
  unmatched: ScannedMessage[];
}

export function summarise(messages: ScannedMessage[]): ScanSummary {
  const byKind: Partial<Record<BounceKind, number>> = {};
  for (const m of messages) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
  return {
    messages,
    byKind,
    suppressed: messages.reduce((n, m) => n + m.suppressed.length, 0),
    duplicates: messages.filter((m) => m.matched && !m.recorded).length,
    unmatched: messages.filter((m) => !m.matched && m.kind !== 'unrelated'),
  };
}

/** `--json`: exactly the shape the issue gives. */
export function scanJson(messages: readonly ScannedMessage[]): string {
  return `${JSON.stringify(
    {
      messages: messages.map((m) => ({
        file: m.file,
        kind: m.kind,
        recipients: m.recipients.map((r) => ({ address: r.address, status: r.status, kind: r.kind })),
        matched: m.matched,
      })),
    },
    null,
    2,
  )}\n`;
}

export function formatScan(s: ScanSummary, dryRun: boolean): string[] {
  const order: BounceKind[] = ['hard', 'soft', 'complaint', 'unsubscribe', 'auto-reply', 'delivered', 'unrelated'];
  const parts = order.filter((k) => s.byKind[k]).map((k) => `${s.byKind[k]} ${k}`);
  const lines = [
    `${s.messages.length} message${s.messages.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}${dryRun ? ' (dry run: nothing recorded or moved)' : ''}`,
  ];
  if (!dryRun) {
    const reasons = new Map<string, number>();
    for (const m of s.messages) for (const r of m.suppressed) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const detail = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
    lines.push(
      `${s.suppressed} reader${s.suppressed === 1 ? '' : 's'} suppressed${detail ? ` (${detail})` : ''}${s.duplicates ? `; ${s.duplicates} already processed` : ''}`,
    );
  }
  if (s.unmatched.length) {
    lines.push(`unmatched (${s.unmatched.length}), left in place:`);
    for (const m of s.unmatched) {
      const who =
        m.recipients
          .map((r) => r.address)
          .filter(Boolean)
          .join(', ') || 'no recipient named';
      lines.push(`  ${m.file}: ${m.kind}, ${who}`);
    }
  }
  return lines;
}

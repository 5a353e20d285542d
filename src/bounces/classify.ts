/**
 * What a returned message says: a delivery report (RFC 3464), a feedback report (RFC 5965), an
 * auto-reply (RFC 3834), one of the non-standard bounce formats real MTAs still send, or
 * something unrelated; for each recipient, whether the address is gone (hard) or the failure
 * was about the sender or the moment (soft).
 *
 * Pure: a raw message in, an Analysis out. The reasons and their rules (which words, status
 * codes and SMTP commands make a failure hard) are in reasons.ts; matching a report to its
 * reader is in scan.ts, and recording it and the suppression policy in state/bounces.ts.
 */
import { header, headersNamed, type MimePart, parseHeaderBlock, parseMime, walk } from './mime.js';
import { isSesReceiptRule, mailboxStateIn, powerMtaCategory, type Reason, reasonOf, statusIn, userUnknownStands } from './reasons.js';

export type BounceKind = 'hard' | 'soft' | 'complaint' | 'auto-reply' | 'delivered' | 'unsubscribe' | 'unrelated';
export const BOUNCE_KINDS: readonly BounceKind[] = ['hard', 'soft', 'complaint', 'auto-reply', 'delivered', 'unsubscribe', 'unrelated'];

export interface BounceRecipient {
  address: string;
  /** Enhanced status code (RFC 3463) when the message gives one, else "". */
  status: string;
  kind: BounceKind;
  /** Finer reason: userunknown, mailboxfull, blocked, spam, feedback, vacation, delivered… */
  reason: string;
  /** Reputation or authentication problem of the sender (surfaced in `status`). */
  reputation?: boolean;
  /** The receiving server's words (Diagnostic-Code or the sentence found), one line, trimmed. */
  diagnostic: string;
}

export interface OriginalMessage {
  messageId?: string;
  to: string[];
  from?: string;
  returnPath?: string;
}

export interface Analysis {
  kind: BounceKind;
  recipients: BounceRecipient[];
  /** Where this message was addressed (To, Delivered-To, X-Original-To…): finds VERP addresses. */
  addressedTo: string[];
  /** The returned message's headers, where the report includes them. */
  original: OriginalMessage;
  /** The report's own Message-ID (idempotency falls back to a hash of the bytes without one). */
  messageId?: string;
  subject: string;
  /** RFC 5965 Feedback-Type of a complaint (abuse, fraud, …). */
  feedbackType?: string;
  /** Message-IDs this message answers (In-Reply-To, References): auto-replies name ours there. */
  references: string[];
}

const ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

export function addressesIn(s: string): string[] {
  return [...new Set((s.match(ADDRESS) ?? []).map((a) => a.replace(/^[.'`]+|[.'`]+$/g, '')))];
}

/** `rfc822; a@b` / `<a@b>` / `"Name" <a@b>` → a@b. */
function bareAddress(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return addressesIn(v.replace(/^[a-z0-9-]+;\s*/i, ''))[0];
}

const oneLine = (s: string, max = 300) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
};

export function analyse(raw: Buffer | string): Analysis {
  const root = parseMime(raw);
  const subject = header(root, 'subject') ?? '';
  const addressedTo = [
    ...['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to', 'cc'].flatMap((h) =>
      headersNamed(root, h).flatMap(addressesIn),
    ),
  ];
  const base = {
    addressedTo: [...new Set(addressedTo.map((a) => a.toLowerCase()))],
    original: originalOf(root),
    messageId: header(root, 'message-id')?.match(/<[^>]+>/)?.[0],
    subject,
    references: [
      ...new Set(['in-reply-to', 'references'].flatMap((h) => headersNamed(root, h).flatMap((v) => v.match(/<[^>\s]+>/g) ?? []))),
    ],
  };

  const feedback = feedbackOf(root) ?? hotmailComplaint(root);
  if (feedback) {
    const rcpts = feedback.recipients.length ? feedback.recipients : base.original.to;
    const isComplaint = feedback.type !== 'not-spam';
    const kind: BounceKind = isComplaint ? 'complaint' : 'unrelated';
    return {
      ...base,
      kind,
      feedbackType: feedback.type,
      recipients: isComplaint
        ? (rcpts.length ? rcpts : ['']).map((address) => ({
            address,
            status: '',
            kind,
            reason: 'feedback',
            diagnostic: `Feedback-Type: ${feedback.type}`,
          }))
        : [],
    };
  }

  const ses = sesNotification(root);
  if (ses) return { ...base, kind: overall(ses), recipients: ses };

  const human = humanText(root);
  const dsn = deliveryStatusOf(root, human);
  if (dsn.length) return { ...base, kind: overall(dsn), recipients: dsn };

  if (looksLikeBounce(root, subject, human)) {
    const recipients = textBounce(root, human, base);
    if (recipients.length) return { ...base, kind: overall(recipients), recipients };
  }

  if (isAutoReply(root, subject)) {
    const from = bareAddress(header(root, 'from')) ?? '';
    return {
      ...base,
      kind: 'auto-reply',
      recipients: [{ address: from, status: '', kind: 'auto-reply', reason: 'vacation', diagnostic: oneLine(subject) }],
    };
  }
  return { ...base, kind: 'unrelated', recipients: [] };
}

/** The message-level kind: a complaint or a hard failure outweighs the rest. */
function overall(rs: readonly BounceRecipient[]): BounceKind {
  for (const k of ['complaint', 'hard', 'soft', 'delivered', 'auto-reply'] as const) if (rs.some((r) => r.kind === k)) return k;
  return 'unrelated';
}

// ---------------------------------------------------------------- the returned message

function originalOf(root: MimePart): OriginalMessage {
  for (const p of walk(root)) {
    if (p === root || !p.message) continue;
    const m = p.message;
    const to = headersNamed(m, 'to').flatMap(addressesIn);
    const id = header(m, 'message-id')?.match(/<[^>]+>/)?.[0];
    if (id || to.length)
      return { messageId: id, to, from: bareAddress(header(m, 'from')), returnPath: bareAddress(header(m, 'return-path')) };
  }
  // Inline copies (qmail, Exim, old Sendmail, many others): the headers appear in the text.
  const bodies = [...walk(root)]
    .filter((p) => p !== root || !root.parts.length)
    .map((p) => p.body)
    .join('\n');
  const idx = bodies.search(/^[ \t>]*(?:Message-I[Dd]|Received|Return-Path|Subject|From|To|Date):/m);
  if (idx < 0) return { to: [] };
  const headers = parseHeaderBlock(
    bodies
      .slice(idx)
      .split(/\r?\n/)
      .map((l) => l.replace(/^[ \t>]*(?=[A-Za-z-]+:)/, ''))
      .join('\n'),
  );
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  return {
    messageId: get('message-id')?.match(/<[^>]+>/)?.[0],
    to: addressesIn(get('to') ?? ''),
    from: bareAddress(get('from')),
    returnPath: bareAddress(get('return-path')),
  };
}

// ---------------------------------------------------------------- RFC 5965 feedback reports

function feedbackOf(root: MimePart): { type: string; recipients: string[] } | undefined {
  const reportType = root.params['report-type']?.toLowerCase();
  for (const p of walk(root)) {
    if (p.message && p !== root) continue;
    const isReport = p.type === 'message/feedback-report' || (reportType === 'feedback-report' && /^Feedback-Type:/im.test(p.body));
    if (!isReport && !/^Feedback-Type:\s*\S+/im.test(p.body)) continue;
    const fields = parseHeaderBlock(p.body.replace(/^\s+/, ''));
    const type = fields
      .find(([k]) => k === 'feedback-type')?.[1]
      ?.toLowerCase()
      .trim();
    if (!type) continue;
    const recipients = fields.filter(([k]) => k === 'original-rcpt-to' || k === 'removal-recipient').flatMap(([, v]) => addressesIn(v));
    return { type, recipients: [...new Set(recipients)] };
  }
  return undefined;
}

/** Hotmail / Outlook.com's JMRP (not ARF): the complained-about message with X-HmXmrOriginalRecipient. */
function hotmailComplaint(root: MimePart): { type: string; recipients: string[] } | undefined {
  for (const p of walk(root)) {
    if (!p.message) continue;
    const rcpt = header(p.message, 'x-hmxmroriginalrecipient');
    if (rcpt) return { type: 'abuse', recipients: addressesIn(rcpt) };
  }
  return undefined;
}

// ---------------------------------------------------------------- Amazon SES notifications

interface SesRecipient {
  emailAddress?: string;
  status?: string;
  diagnosticCode?: string;
  action?: string;
}

/**
 * Amazon SES bounce/complaint/delivery notifications delivered by email (SNS), a JSON body:
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 */
function sesNotification(root: MimePart): BounceRecipient[] | undefined {
  for (const p of walk(root)) {
    if (p.message && p !== root) continue;
    const t = p.body.trimStart();
    if (!t.startsWith('{') || !/"notificationType"|"eventType"/.test(t)) continue;
    let j: Record<string, unknown>;
    try {
      // Long lines of the JSON body are sometimes wrapped in transit.
      j = JSON.parse(t.slice(0, t.lastIndexOf('}') + 1).replace(/\r?\n ?/g, '')) as Record<string, unknown>;
      if (typeof j.Message === 'string') j = JSON.parse(j.Message) as Record<string, unknown>;
    } catch {
      continue;
    }
    const type = String(j.notificationType ?? j.eventType ?? '');
    if (type === 'Bounce') {
      const b = (j.bounce ?? {}) as { bounceType?: string; bounceSubType?: string; bouncedRecipients?: SesRecipient[] };
      return (b.bouncedRecipients ?? []).map((r) => {
        const diag = r.diagnosticCode ?? '';
        let reason = reasonOf(diag, r.status);
        // SES's own verdict settles what the words leave open; a transient bounce is never hard.
        if (b.bounceType === 'Transient') reason = reason.kind === 'hard' ? { kind: 'soft', reason: reason.reason } : reason;
        else if (
          isVague(reason) &&
          b.bounceType === 'Permanent' &&
          /^(?:NoEmail|Suppressed|OnAccountSuppressionList)$/.test(b.bounceSubType ?? '')
        ) {
          reason = { kind: 'hard', reason: 'userunknown' };
        }
        return toRecipient(r.emailAddress ?? '', r.status ?? statusIn(diag) ?? '', reason, diag || `${b.bounceType}/${b.bounceSubType}`);
      });
    }
    if (type === 'Complaint') {
      const c = (j.complaint ?? {}) as { complainedRecipients?: SesRecipient[]; complaintFeedbackType?: string };
      return (c.complainedRecipients ?? []).map((r) => ({
        address: r.emailAddress ?? '',
        status: '',
        kind: 'complaint' as const,
        reason: 'feedback',
        diagnostic: `Feedback-Type: ${c.complaintFeedbackType ?? 'abuse'}`,
      }));
    }
    if (type === 'Delivery') {
      const d = (j.delivery ?? {}) as { recipients?: string[]; smtpResponse?: string };
      return (d.recipients ?? []).map((address) => ({
        address,
        status: statusIn(d.smtpResponse ?? '') ?? '',
        kind: 'delivered' as const,
        reason: 'delivered',
        diagnostic: oneLine(d.smtpResponse ?? ''),
      }));
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- RFC 3464 delivery status

function deliveryStatusOf(root: MimePart, human: string): BounceRecipient[] {
  const out: BounceRecipient[] = [];
  for (const p of walk(root)) {
    if (p.message && p !== root) continue;
    const isStatus = p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status';
    // Some MTAs label the report text/plain; its fields give it away.
    if (!isStatus && !(p.type === 'text/plain' && /^(?:Final|Original)-Recipient:/im.test(p.body) && /^Action:/im.test(p.body))) continue;
    const blocks = p.body.replace(/\r/g, '').split(/\n[ \t]*\n/);
    let reportingMta = '';
    for (const block of blocks) {
      const f = parseHeaderBlock(block.replace(/^\n+/, ''));
      const get = (n: string) => f.find(([k]) => k === n)?.[1];
      reportingMta ||= get('reporting-mta') ?? '';
      const address =
        bareAddress(get('final-recipient')) ?? bareAddress(get('original-recipient')) ?? bareAddress(get('x-actual-recipient'));
      if (!address) continue;
      const action = (get('action') ?? '').toLowerCase().trim();
      const status = get('status')?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0] ?? '';
      const diag = (get('diagnostic-code') ?? '').replace(/^[a-z-]+;\s*/i, '');
      const r = recipientFrom(address, action, status, diag, human);
      const verdict = r.kind === 'delivered' ? undefined : powerMtaCategory(get('x-powermta-bouncecategory') ?? '');
      out.push(verdict && action !== 'delayed' ? toRecipient(address, r.status, verdict, r.diagnostic) : r);
    }
    if (out.length) {
      if (isSesReceiptRule(reportingMta))
        for (const r of out) if (r.kind === 'hard') Object.assign(r, { kind: 'soft', reason: 'filtered' });
      return dedupe(withMailboxState(out, human));
    }
  }
  return [];
}

/**
 * A report about one failed recipient is wholly about it: if its prose says the mailbox is
 * disabled or full, a "user unknown" in the quoted reply is the carrier's generic answer for
 * that state (see mailboxStateIn), and the address is not gone.
 */
function withMailboxState(rs: BounceRecipient[], human: string): BounceRecipient[] {
  const failed = rs.filter((r) => r.kind === 'hard' || r.kind === 'soft');
  if (failed.length !== 1 || failed[0].kind !== 'hard' || failed[0].reason !== 'userunknown') return rs;
  const state = mailboxStateIn(human);
  if (state) Object.assign(failed[0], state);
  return rs;
}

function recipientFrom(address: string, action: string, status: string, diag: string, human: string): BounceRecipient {
  // RFC 3464 success actions, and Postfix's address-verification report (`sendmail -bv`), which
  // says "deliverable" (or "undeliverable", a failure like any other).
  if (/^(?:delivered|relayed|expanded|deliverable)/.test(action) || (!action && status.startsWith('2'))) {
    return { address, status, kind: 'delivered', reason: 'delivered', diagnostic: oneLine(diag) };
  }
  // The Diagnostic-Code is the receiver's own words; without one (or when it says nothing
  // recognisable) the human-readable part near the address is the next best source.
  let r = reasonOf(diag, status);
  let words = diag;
  if (isVague(r)) {
    const near = textNear(human, address);
    const r2 = reasonOf(`${diag} ${near}`, status);
    if (!isVague(r2)) {
      r = r2;
      words = words || near;
    }
  }
  // A delay notice (RFC 3464 Action: delayed) is not a failure yet: soft, reason 'delayed',
  // which the soft-bounce policy does not count (the message may still be delivered).
  if (action === 'delayed') r = { kind: 'soft', reason: 'delayed' };
  if (
    r.kind === 'hard' &&
    r.reason === 'userunknown' &&
    !userUnknownStands([status, statusIn(diag)], `${diag}\n${textNear(human, address)}`, human)
  )
    r = { kind: 'soft', reason: 'filtered' };
  return toRecipient(address, status || statusIn(diag) || '', r, words);
}

const isVague = (r: Reason) => r.reason === 'undefined' || r.reason === 'temporary' || r.reason === 'systemerror';

function toRecipient(address: string, status: string, r: Reason, words: string): BounceRecipient {
  const rec: BounceRecipient = { address, status, kind: r.kind, reason: r.reason, diagnostic: oneLine(words) };
  if (r.reputation) rec.reputation = true;
  return rec;
}

function dedupe(rs: BounceRecipient[]): BounceRecipient[] {
  const seen = new Map<string, BounceRecipient>();
  for (const r of rs) {
    const k = r.address.toLowerCase();
    const prev = seen.get(k);
    // The same address twice (Original- and Final-Recipient blocks, two hops): keep the worse news.
    if (!prev || rank(r.kind) < rank(prev.kind)) seen.set(k, r);
  }
  return [...seen.values()];
}

const rank = (k: BounceKind) => ['complaint', 'hard', 'soft', 'delivered', 'auto-reply', 'unsubscribe', 'unrelated'].indexOf(k);

// ---------------------------------------------------------------- non-standard bounces

/** Markers after which a bounce quotes the original message (its addresses are not recipients). */
const RETURNED =
  /^[ \t>*=_-]*(?:original message follows|original message headers|below this line is a copy|this is a copy of the message|message headers? follows?|unsent message below|original message:|-+ ?original message|-+ ?returned message|(?:the )?headers of (?:the original|your) message|rfc ?822 headers|returned mail follows|text of the original message)/im;

/** Human-readable text of the report: its text parts, not the returned message; HTML flattened. */
function humanText(root: MimePart): string {
  const texts: string[] = [];
  const visit = (p: MimePart) => {
    if (p.message && p !== root) return;
    if (p.parts.length) {
      if (p.body.trim() && p === root) texts.push(p.body);
      const alt = p.type === 'multipart/alternative';
      const plain = alt ? p.parts.find((c) => c.type === 'text/plain') : undefined;
      for (const c of plain ? [plain] : p.parts) visit(c);
      return;
    }
    if (p.type === 'text/plain' || p.type === 'text/html' || p === root) {
      texts.push(
        p.type === 'text/html'
          ? p.body
              .replace(/<(?:br|p|div|tr|li)\b[^>]*>/gi, '\n')
              .replace(/<[^>]+>/g, ' ')
              .replace(/&nbsp;/g, ' ')
              .replace(/&lt;/g, '<')
              .replace(/&gt;/g, '>')
              .replace(/&amp;/g, '&')
          : p.body,
      );
    }
  };
  visit(root);
  const all = texts.join('\n');
  const cut = all.search(RETURNED);
  return cut > 40 ? all.slice(0, cut) : all;
}

/** Lines around the first mention of an address (the MTA's sentence about it). */
function textNear(text: string, address: string): string {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => l.toLowerCase().includes(address.toLowerCase()));
  if (i < 0) return '';
  return lines.slice(i, i + 8).join('\n');
}

const DAEMON =
  /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|mail\.?delivery|maildelivery|mail-notify|bounce|bounces|no-?reply-?bounce|nobody|root|mdaemon|mailadmin|administrator)\b/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery (?:status )?notification|delivery (?:has )?fail|failure notice|failed delivery|mail delivery|returned mail|return(?:ed)? to sender|could not be delivered|non-?deliver|nondeliverable|delivery report|rejected|bounce|unzustellbar|non remis|no entregado|não entregue|mail system error|warning: could not send|delivery problem|message not delivered|delivery error|notification d'état|不達|エラー|配信/i;

function looksLikeBounce(root: MimePart, subject: string, human: string): boolean {
  const from = header(root, 'from') ?? '';
  const local = (bareAddress(from) ?? from).toLowerCase();
  if (DAEMON.test(local) || /mailer-daemon|postmaster|mail delivery (?:subsystem|system)/i.test(from)) return true;
  if (root.type === 'multipart/report' || header(root, 'x-failed-recipients')) return true;
  if (BOUNCE_SUBJECT.test(subject)) return true;
  // The last clause: a 5xx reply with RFC 5321's own reply text (§4.2.2, "550 Requested action
  // not taken: mailbox unavailable"), as gateways that write their own notices quote it.
  return /\b(?:could not be delivered|delivery (?:to the following|has failed)|permanent(?:ly)? (?:fatal )?error|undeliverable|was not delivered|unable to deliver|delivery failed)\b|\b5[0-5]\d[ -]+(?:-[ ]*)?requested action not taken\b/i.test(
    human,
  );
}

/** Addresses that are the sender side, never failed recipients. */
function senderSide(root: MimePart, base: { addressedTo: string[]; original: OriginalMessage }): Set<string> {
  const s = new Set<string>(base.addressedTo);
  for (const h of ['from', 'return-path', 'reply-to', 'sender'])
    for (const a of headersNamed(root, h).flatMap(addressesIn)) s.add(a.toLowerCase());
  if (base.original.from) s.add(base.original.from.toLowerCase());
  if (base.original.returnPath) s.add(base.original.returnPath.toLowerCase());
  return s;
}

function textBounce(root: MimePart, human: string, base: { addressedTo: string[]; original: OriginalMessage }): BounceRecipient[] {
  const exclude = senderSide(root, base);
  const notRecipient = (a: string) =>
    exclude.has(a.toLowerCase()) ||
    /^(?:postmaster|mailer-daemon|abuse|hostmaster|root)@/i.test(a) ||
    (/@(?:[^@]*\.)?(?:spamhaus|spamcop|sorbs|barracudacentral|google|microsoft|yahoo|aol)\.(?:org|com|net)$/i.test(a) &&
      !base.original.to.some((t) => t.toLowerCase() === a.toLowerCase()));
  const failed = headersNamed(root, 'x-failed-recipients').flatMap(addressesIn);
  // Header-like lines (Message-ID, Received, References…) quote ids and hosts, not recipients.
  const prose = human.replace(
    /^[ \t]*(?:message-id|received|references|in-reply-to|return-path|x-[a-z-]+|dkim-signature|authentication-results|list-[a-z-]+)[ \t]*:.*$/gim,
    '',
  );
  let candidates = failed.length ? failed : addressesIn(prose).filter((a) => !notRecipient(a));
  // URLs and Received lines produce "addresses" like id@host: prefer those the original was sent to.
  const origTo = new Set(base.original.to.map((a) => a.toLowerCase()));
  const inOrig = candidates.filter((a) => origTo.has(a.toLowerCase()));
  if (inOrig.length) candidates = inOrig;
  if (!candidates.length) candidates = base.original.to.filter((a) => !notRecipient(a)).slice(0, 1);
  if (!candidates.length) candidates = [''];
  const out: BounceRecipient[] = [];
  const lower = human.toLowerCase();
  for (const address of candidates) {
    let words = human;
    if (address && candidates.length > 1) {
      // The sentence about this recipient runs from its mention to the next recipient's.
      const at = lower.indexOf(address.toLowerCase());
      const nexts = candidates
        .filter((c) => c !== address)
        .map((c) => lower.indexOf(c.toLowerCase(), at + address.length))
        .filter((i) => i > at);
      words = at < 0 ? human : human.slice(at, nexts.length ? Math.min(...nexts) : undefined);
    }
    let r = reasonOf(words);
    if (r.kind === 'hard' && r.reason === 'userunknown' && !userUnknownStands([statusIn(words)], words, human))
      r = { kind: 'soft', reason: 'filtered' };
    out.push(toRecipient(address, statusIn(words) ?? '', r, diagnosticLine(words)));
  }
  return dedupe(out);
}

/** The most telling line of a free-text bounce: the one with an SMTP reply, else the first non-empty. */
function diagnosticLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /\b[45]\d\d[ -]|\b[45]\.\d+\.\d+\b/.test(l)) ?? lines.find((l) => l.length > 20) ?? '';
}

// ---------------------------------------------------------------- RFC 3834 auto-replies

const AUTO_SUBJECT =
  /^(?:auto(?:matic)?[- ]?(?:reply|response|antwort|réponse)|auto:|autoreply|out of (?:the )?office|on vacation|vacation|away from|abwesen|réponse automatique|respuesta automática|risposta automatica|fuera de la oficina|absence|i am (?:out|away)|i'?m (?:out|away))/i;

function isAutoReply(root: MimePart, subject: string): boolean {
  const auto = (header(root, 'auto-submitted') ?? '').toLowerCase();
  if (auto.startsWith('auto-replied')) return true;
  if (header(root, 'x-autoreply') || header(root, 'x-autorespond') || header(root, 'x-autoresponder')) return true;
  if (/auto_reply|auto-reply/i.test(header(root, 'precedence') ?? '')) return true;
  if (/^(?:ooo|autoreply|all)$/i.test(header(root, 'x-auto-response-suppress') ?? '') && AUTO_SUBJECT.test(subject)) return true;
  return AUTO_SUBJECT.test(subject.replace(/^(?:re|aw|fw|fwd):\s*/i, ''));
}

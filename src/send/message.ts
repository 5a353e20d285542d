/**
 * Per-reader message factory: everything that is the same for every reader is prepared once
 * (QP-encoded template parts, List-Id, mailto); per reader only the token, the field merge and
 * the header block are computed.
 */
import type { Config } from '../config.js';
import { fill, resolveValues } from '../render/merge.js';
import { textValues } from '../render/text.js';
import type { RenderedIssue } from '../render/types.js';
import { unsubscribeUrl } from '../naming.js';
import { signToken } from '../unsubscribe/token.js';
import { verpAddress } from '../bounces/verp.js';
import { composeMessage, formatPhrase } from './compose.js';
export { rawOf } from './compose.js';
import { domainOf } from './message-id.js';
import { compileQp, fillQpInto } from './qp-template.js';
import type { OutgoingMessage } from './types.js';

export interface MessageReader {
  email: string;
  name: string;
  /** The list row: email, name and every other column. */
  fields: Readonly<Record<string, string | undefined>>;
  messageId: string;
  /**
   * The reader's send-record id: with config bounces.address set, it is signed into the
   * envelope sender (VERP) and the unsubscribe mailto:. Test sends have none.
   */
  ref?: number;
}

export interface MessageContext {
  issue: RenderedIssue;
  config: Pick<Config, 'from' | 'replyTo' | 'organisation' | 'siteUrl' | 'unsubscribe'> &
    Partial<Pick<Config, 'bounces' | 'title' | 'lists'>>;
  /** List name: part of the token and of List-Id. */
  list: string;
  /** Issue slug, for Feedback-ID (defaults to the rendered issue's slug). */
  slug?: string;
  secret: Buffer;
  /** Date header for the whole send (one clock read per run, not per message). */
  date?: Date;
  /** "[TEST] " for --test sends. */
  subjectPrefix?: string;
  extraHeaders?: Record<string, string>;
}

/**
 * `List-Id: "Integrated care roundup" <integrated-care.firm.example>` (RFC 2919): from config
 * `lists.<list>.{name,id}`, else neutral (`"<title or organisation>" <newsletter.<from domain>>`):
 * never the CSV file name, which may say more than readers should see. A non-ASCII name is encoded.
 */
export function listIdFor(config: Pick<Config, 'organisation' | 'from'> & Partial<Pick<Config, 'title' | 'lists'>>, list: string): string {
  const lists = config.lists ?? {};
  const entry = Object.hasOwn(lists, list) ? lists[list] : undefined;
  const domain = domainOf(config.from.email);
  const id = entry?.id ? (entry.id.includes('.') ? entry.id : `${entry.id}.${domain}`) : `newsletter.${domain}`;
  const phrase = (entry?.name ?? config.title ?? config.organisation).replace(/[\x00-\x1f\x7f]+/g, ' ');
  // Encoded by us when it is not plain (src/send/compose.ts): an encoded word typed into a name
  // never passes through for a client to decode.
  const shown = formatPhrase(phrase);
  return `${shown} <${id.toLowerCase()}>`;
}

/**
 * `Feedback-ID: <issue>:<list>:roundup:<sender domain>` for Gmail's feedback loop, which reports
 * complaint rates per value of the first fields; the last names the sender and stays fixed.
 */
export function feedbackIdFor(slug: string, list: string, fromEmail: string): string {
  const part = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'x';
  return `${part(slug)}:${part(list)}:roundup:${part(domainOf(fromEmail))}`;
}

export type MessageFactory = (reader: MessageReader) => OutgoingMessage;

export function createMessageFactory(ctx: MessageContext): MessageFactory {
  const { issue, config, list, secret } = ctx;
  const html = compileQp(issue.html, true);
  const text = compileQp(issue.text, false);
  const listId = listIdFor(config, list);
  const mailto = `mailto:${config.unsubscribe.mailto ?? config.from.email}?subject=unsubscribe`;
  // With a return path configured, bounces and mailto: unsubscribes come back to an address
  // that names the reader (bounces/verp.ts); without one, today's behaviour.
  const bounces = config.bounces?.address;
  const feedbackId = feedbackIdFor(ctx.slug ?? issue.slug, list, config.from.email);
  const date = ctx.date ?? new Date();
  const prefix = ctx.subjectPrefix ?? '';
  return (reader) => {
    const url = unsubscribeUrl(config, signToken({ email: reader.email, list }, secret));
    const resolved = resolveValues(issue.refs, { recipient: reader.fields, unsubscribeUrl: url });
    const textQp: string[] = [];
    const htmlQp: string[] = [];
    // Text lines with a field are wrapped after the merge: the slots of issue.text are those lines.
    fillQpInto(text, textValues(issue.text, resolved), textQp);
    fillQpInto(html, resolved, htmlQp);
    const { pieces, canonical } = composeMessage({
      from: config.from,
      replyTo: config.replyTo,
      to: { name: reader.name, email: reader.email },
      subject: prefix + fill(issue.subject, resolved, false),
      textQp,
      htmlQp,
      messageId: reader.messageId,
      date,
      listId,
      unsubscribeUrl: url,
      unsubscribeMailto:
        bounces && reader.ref !== undefined
          ? `mailto:${verpAddress(bounces, 'unsubscribe', reader.ref, secret)}?subject=unsubscribe`
          : mailto,
      feedbackId,
      extra: ctx.extraHeaders,
    });
    const envelopeFrom = bounces
      ? reader.ref !== undefined
        ? verpAddress(bounces, 'bounce', reader.ref, secret)
        : bounces
      : config.from.email;
    return { from: envelopeFrom, to: reader.email, messageId: reader.messageId, pieces, canonical };
  };
}

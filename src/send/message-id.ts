/**
 * Deterministic Message-IDs: the same (issue, list, reader) always gets the same id, so a
 * message re-sent after a crash is recognisable as the same message (and many receiving systems
 * drop a repeat of an id they have already delivered).
 */
import { createHash, randomBytes } from 'node:crypto';

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export function messageIdFor(issueSlug: string, list: string, emailKey: string, fromEmail: string): string {
  const h = createHash('sha256').update(`roundup\0${issueSlug}\0${list}\0${emailKey}`).digest('hex').slice(0, 32);
  return `<${h}.${issueSlug.replace(/[^A-Za-z0-9.-]/g, '-')}@${domainOf(fromEmail)}>`;
}

/** Test sends are not part of any send's state: a fresh id each time. */
export function testMessageId(fromEmail: string): string {
  return `<test.${randomBytes(12).toString('hex')}@${domainOf(fromEmail)}>`;
}

/**
 * Where messages go: an SMTP server (from --smtp or SMTP_URL) or, with none configured, the
 * outbox folder. Injected into the orchestrator at the edge, so tests and the benchmark pass
 * their own servers and nothing below this file reads the environment.
 *
 * A Transport opens Channels; a Channel carries one message at a time. There is deliberately
 * no pooling transport underneath: nodemailer's pool re-queues a message by itself when a
 * connection drops, which would be a delivery attempt the state database never recorded.
 * Each of our channels is one plain SMTPConnection, so every attempt is one we marked.
 */
import { parseSmtpUrl } from './smtp-url.js';
import type { Transport } from './types.js';

export interface TransportChoice {
  /** --smtp */
  smtp?: string;
  /** SMTP_URL from the environment or .env */
  envUrl?: string;
  /** Outbox folder for this issue (outbox/<slug>). */
  outboxDir: string;
  /** Socket inactivity timeout, ms. */
  timeout: number;
}

export async function createTransport(choice: TransportChoice): Promise<Transport> {
  const urlText = choice.smtp ?? (choice.envUrl && choice.envUrl.trim() !== '' ? choice.envUrl : undefined);
  if (urlText) {
    const { SmtpTransport } = await import('./smtp.js');
    return new SmtpTransport(parseSmtpUrl(urlText), { timeout: choice.timeout });
  }
  const { OutboxTransport } = await import('./outbox.js');
  return new OutboxTransport(choice.outboxDir);
}

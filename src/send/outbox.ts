/**
 * The no-server transport: each message becomes `outbox/<slug>/<address>.eml`, so a fresh
 * checkout can run the whole send flow and open the results in a mail client. Files are
 * written to a temporary name and renamed, so a killed send never leaves half a message;
 * a re-send of the same reader overwrites the same file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rawOf } from './compose.js';
import type { Channel, Delivery, OutgoingMessage, Transport } from './types.js';

export function outboxFileName(email: string): string {
  return email.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_') + '.eml';
}

export class OutboxTransport implements Transport {
  readonly kind = 'outbox' as const;
  readonly describe: string;
  private ready?: Promise<unknown>;

  constructor(readonly dir: string) {
    this.describe = `outbox (no SMTP configured): ${path.relative(process.cwd(), dir) || dir}/`;
  }

  async open(): Promise<Channel> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    let count = 0;
    const dir = this.dir;
    return {
      usable: true,
      get count() {
        return count;
      },
      async send(msg: OutgoingMessage): Promise<Delivery> {
        const file = path.join(dir, outboxFileName(msg.to));
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, rawOf(msg));
        await rename(tmp, file);
        count++;
        return { response: `250 written to ${path.relative(process.cwd(), file) || file}` };
      },
      close() {},
    };
  }
}

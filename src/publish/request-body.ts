/**
 * Reading and understanding the body of an unsubscribe POST.
 *
 * RFC 8058 one-click: the mailbox provider POSTs `List-Unsubscribe=One-Click`, as
 * multipart/form-data (SHOULD) or application/x-www-form-urlencoded (MAY; what Gmail sends).
 * The confirm page's own form sends the same field, urlencoded, so both take one path.
 */
import type { IncomingMessage } from 'node:http';

/** Far more than `List-Unsubscribe=One-Click` in any encoding; anything bigger is refused. */
export const MAX_BODY_BYTES = 4096;

export class BodyTooLarge extends Error {}

/** Read the whole body, or reject with BodyTooLarge as soon as it passes `limit`. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    const fail = (e: Error) => {
      if (!done) {
        done = true;
        reject(e);
      }
    };
    req.on('error', fail);
    // A client that hangs up mid-body: settle, so the handler does not wait forever.
    req.on('close', () => fail(new Error('the client closed the connection before sending the whole body')));
  });
}

/** Form fields of a urlencoded or multipart/form-data body (text fields only). Pure. */
export function formFields(body: Buffer, contentType: string | undefined): Map<string, string> {
  const type = (contentType ?? '').toLowerCase();
  const fields = new Map<string, string>();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
    const b = boundary?.[1] ?? boundary?.[2];
    if (!b) return fields;
    for (const part of body.toString('utf8').split(`--${b}`)) {
      const sep = part.indexOf('\r\n\r\n');
      if (sep < 0) continue;
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part.slice(0, sep))?.[1];
      if (name !== undefined && !fields.has(name)) fields.set(name, part.slice(sep + 4).replace(/\r\n$/, ''));
    }
    return fields;
  }
  // urlencoded, and (leniently) a body sent with no or a text content type.
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!fields.has(k)) fields.set(k, v);
  return fields;
}

/** True for an RFC 8058 one-click body (field value compared case-insensitively). */
export function isOneClick(body: Buffer, contentType: string | undefined): boolean {
  return formFields(body, contentType).get('List-Unsubscribe')?.trim().toLowerCase() === 'one-click';
}

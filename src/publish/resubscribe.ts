/**
 * Resubscribe links use the same signed-token format as unsubscribe links (src/unsubscribe/
 * token.ts), under a key derived from the same secret for this one purpose. An unsubscribe
 * token therefore never verifies as a resubscribe token, or the other way round, and no
 * second secret has to be kept.
 */
import { createHmac } from 'node:crypto';
import { signToken, verifyToken, type TokenSubject } from '../unsubscribe/token.js';

export function resubscribeKey(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('roundup/resubscribe/v1').digest();
}

export const signResubscribe = (subject: TokenSubject, secret: Buffer) => signToken(subject, resubscribeKey(secret));
export const verifyResubscribe = (token: string, secret: Buffer) => verifyToken(token, resubscribeKey(secret));

// Time-based one-time passwords (RFC 6238) as every authenticator app computes
// them, for the tests that play the customer's phone: HMAC-SHA1, 30-second steps,
// T0 = 0, 6 digits. Nothing but node:crypto.
import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;
export const DIGITS = 6;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * RFC 4648 base32 to bytes. Spaces (and any whitespace), lowercase and trailing
 * `=` padding are accepted, as the portal shows the secret in groups; any other
 * character throws.
 */
export function base32Decode(text) {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const value = ALPHABET.indexOf(ch);
    if (value < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >>> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet emitted
  }
  return Buffer.from(bytes);
}

/** The time step containing `ms` (milliseconds since 1970): floor(seconds / 30). */
export function stepOf(ms = Date.now()) {
  return Math.floor(ms / 1000 / STEP_SECONDS);
}

/** The code for one time step (RFC 4226 HOTP with the step as the counter), zero-padded. */
export function codeAtStep(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0x0f;
  const binary = hash.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/**
 * The TOTP code of `secret` at `ms`. `secret` is the base32 text the portal shows
 * (spaces allowed) or the raw key as a Buffer.
 */
export function totp(secret, ms = Date.now()) {
  const key = Buffer.isBuffer(secret) ? secret : base32Decode(secret);
  return codeAtStep(key, stepOf(ms));
}

/** Milliseconds until the next time step begins. */
export function msUntilNextStep(ms = Date.now()) {
  return (stepOf(ms) + 1) * STEP_SECONDS * 1000 - ms;
}

/**
 * A code for a step later than `usedStep` (the portal accepts each step once, and
 * none older than the last one used), waiting for the next step if need be.
 * Resolves to `{ code, step }`; remember `step` for the next call.
 */
export async function freshCode(secret, usedStep) {
  for (;;) {
    const now = Date.now();
    const step = stepOf(now);
    if (usedStep === undefined || usedStep === null || step > usedStep) {
      return { code: totp(secret, now), step };
    }
    // A little past the boundary, so that the step has changed for sure.
    await new Promise((resolve) => { setTimeout(resolve, msUntilNextStep(now) + 250); });
  }
}

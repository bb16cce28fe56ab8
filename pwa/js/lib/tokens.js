/**
 * Offline verification of signed pass and stamp tokens (docs/contract.md, "Tokens and QR codes"): the phone's twin of
 * server/checkin/tokens.py. Same formats, same checks in the same order (form, key, signature, validity
 * window), same verdict reasons, so a volunteer's phone and the server agree on every token.
 *
 *   Pass:  P1.<base64url msgpack [pass_id, kind, issued_at, valid_until, key_id]>.<base64url Ed25519 signature>
 *   Stamp: S1.<base64url msgpack [venue_id, issued_at, key_id]>.<base64url Ed25519 signature>
 *
 * `publicKeys` is the bundle's list: [{id, alg: 'Ed25519', public_key (base64url raw 32 bytes), retired_at?}].
 * Verdicts are {ok: true, pass} / {ok: true, stamp} or {ok: false, reason} with reason one of
 * 'invalid_signature' (also any malformed token), 'unknown_key', 'expired'. A browser without WebCrypto Ed25519
 * makes the verify functions throw rather than answer; `ed25519Supported()` tells beforehand, so the page can
 * send scans to the server instead.
 */

import { decodeArray, MsgpackError } from './msgpack-lite.js';

/** A token may be scanned moments after it is issued by a phone whose clock runs a little slow. */
export const CLOCK_SKEW_S = 300;

const SIGNATURE_LEN = 64;
const PASS_FIELDS = [
  ['pass_id', 'str'], ['kind', 'str'], ['issued_at', 'int'], ['valid_until', 'int'], ['key_id', 'str'],
];
const STAMP_FIELDS = [['venue_id', 'str'], ['issued_at', 'int'], ['key_id', 'str']];
const B64URL = /^[A-Za-z0-9_-]*$/;
// RFC 8032, test 1: any valid public key shows whether this browser's WebCrypto knows Ed25519.
const PROBE_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

/** Imported keys by their base64url text; scanning a queue of passes imports each key once. */
const imported = new Map();

/** A verdict against the token. */
class Refusal extends Error {
  constructor(reason, detail) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
  }
}

/** Text or bytes of the wrong form: a refusal when it is the token's, a broken bundle when it is a key's. */
class FormError extends Error {}

/** Whether this browser can verify Ed25519 signatures with WebCrypto. */
export async function ed25519Supported() {
  try {
    await importPublicKey(PROBE_KEY);
    return true;
  } catch {
    return false;
  }
}

/** Verdict on a pass token at `nowSeconds` (unix seconds): {ok: true, pass} or {ok: false, reason}. */
export async function verifyPass(token, publicKeys, nowSeconds) {
  return verdict('pass', async () => {
    const pass = await verify(token, 'P1.', PASS_FIELDS, publicKeys, nowSeconds);
    checkWindow(pass.issued_at, pass.valid_until, nowSeconds);
    return pass;
  });
}

/** Verdict on a venue stamp token at `nowSeconds`: {ok: true, stamp} or {ok: false, reason}. */
export async function verifyStamp(token, publicKeys, nowSeconds) {
  return verdict('stamp', async () => {
    const stamp = await verify(token, 'S1.', STAMP_FIELDS, publicKeys, nowSeconds);
    checkWindow(stamp.issued_at, null, nowSeconds);
    return stamp;
  });
}

async function verdict(name, check) {
  try {
    return { ok: true, [name]: await check() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason };
    throw error; // not a verdict: no Ed25519 here, or a broken bundle
  }
}

async function verify(token, prefix, fields, publicKeys, nowSeconds) {
  if (typeof token !== 'string' || !token.startsWith(prefix)) {
    throw new Refusal('invalid_signature', `does not start with ${prefix}`);
  }
  const body = token.slice(prefix.length);
  const dot = body.indexOf('.');
  if (dot < 0) throw new Refusal('invalid_signature', 'no signature part');
  const payloadText = body.slice(0, dot);
  let claims;
  let signature;
  try {
    // A further dot is outside the base64url alphabet, so the signature part refuses it.
    signature = decodeBase64url(body.slice(dot + 1));
    claims = toClaims(decodeArray(decodeBase64url(payloadText)), fields);
  } catch (error) {
    if (error instanceof MsgpackError || error instanceof FormError) {
      throw new Refusal('invalid_signature', `malformed: ${error.message}`);
    }
    throw error;
  }
  if (signature.length !== SIGNATURE_LEN) throw new Refusal('invalid_signature', 'the signature is not 64 bytes');
  const entry = liveKey(publicKeys, claims.key_id, nowSeconds);
  if (!entry) throw new Refusal('unknown_key', `no key ${claims.key_id} in service`);
  const key = await importPublicKey(entry.public_key);
  const signed = new TextEncoder().encode(token.slice(0, prefix.length + payloadText.length));
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, signed))) {
    throw new Refusal('invalid_signature', 'the signature does not match');
  }
  return claims;
}

/** Names the decoded array's items, refusing any other shape: the server refuses the same ones. */
function toClaims(items, fields) {
  if (items.length !== fields.length) throw new FormError('wrong number of fields');
  const claims = {};
  fields.forEach(([name, kind], i) => {
    const value = items[i];
    const fits = kind === 'str'
      ? typeof value === 'string' && value.length > 0
      : Number.isInteger(value) && value >= 0;
    if (!fits) throw new FormError(`bad ${name}`);
    claims[name] = value;
  });
  return claims;
}

function liveKey(publicKeys, keyId, nowSeconds) {
  const entry = publicKeys.find((candidate) => candidate.id === keyId && candidate.alg === 'Ed25519');
  if (!entry) return null;
  if (entry.retired_at && Date.parse(entry.retired_at) / 1000 <= Math.floor(nowSeconds)) return null;
  return entry;
}

function checkWindow(issuedAt, validUntil, nowSeconds) {
  // Whole seconds, as the server compares them.
  const now = Math.floor(nowSeconds);
  if (now < issuedAt - CLOCK_SKEW_S) throw new Refusal('expired', 'not valid yet');
  if (validUntil !== null && now > validUntil) throw new Refusal('expired', 'no longer valid');
}

function importPublicKey(text) {
  let key = imported.get(text);
  if (!key) {
    key = crypto.subtle.importKey('raw', decodeBase64url(text), { name: 'Ed25519' }, false, ['verify']);
    imported.set(text, key);
    key.catch(() => imported.delete(text)); // a failed import is retried next time, not remembered
  }
  return key;
}

/**
 * Strict unpadded base64url: exactly the text the server writes for these bytes. Any second spelling (padding,
 * '+' or '/', set unused bits in the last character) is refused, since tokens are signed over their text.
 */
function decodeBase64url(text) {
  if (!B64URL.test(text) || text.length % 4 === 1) throw new FormError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  if (encodeBase64url(bytes) !== text) throw new FormError('non-canonical base64url');
  return bytes;
}

function encodeBase64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

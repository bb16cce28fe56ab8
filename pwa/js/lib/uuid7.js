// UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, so ids sort by creation time.
// Ids made in the same millisecond (or after the clock stepped back) still increase: the 12-bit rand_a
// field counts up from a random start, and the timestamp moves on when it overflows.

let lastMs = -1;
let counter = 0;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function uuid7(now = Date.now()) {
  const rand = crypto.getRandomValues(new Uint8Array(10));
  let ms = Math.max(Math.floor(now), 0);
  if (ms <= lastMs) {
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) {
      ms += 1;
      counter = rand[0] & 0x7ff;
    }
  } else {
    counter = ((rand[0] << 8) | rand[1]) & 0x7ff; // leave headroom for ids in the same millisecond
  }
  lastMs = ms;
  const bytes = new Uint8Array(16);
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes.set(rand.subarray(2), 8);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The creation time (Unix ms) written in a UUIDv7. */
export function uuid7Time(id) {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

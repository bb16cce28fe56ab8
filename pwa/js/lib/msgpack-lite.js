/**
 * The smallest MessagePack reader the signed tokens need: one array of integers and strings, nothing after it.
 *
 * It reads every integer and string encoding the format has, not only the ones msgspec writes, because the
 * server's decoder accepts them all and the phone must refuse or accept exactly the payloads the server does.
 * Anything else (maps, floats, nil, binary, nested arrays, trailing bytes, bad UTF-8) throws MsgpackError.
 */

export class MsgpackError extends Error {}

// ignoreBOM keeps a leading U+FEFF as a character, as the server's decoder does, instead of dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes `bytes` (a Uint8Array) holding one array of integers (as Numbers) and strings. */
export function decodeArray(bytes) {
  const reader = new Reader(bytes);
  const marker = reader.u8();
  let length;
  if ((marker & 0xf0) === 0x90) length = marker & 0x0f;
  else if (marker === 0xdc) length = reader.u16();
  else if (marker === 0xdd) length = reader.u32();
  else throw new MsgpackError('not an array');
  // Each element takes at least one byte; checking first keeps a forged length from allocating much.
  if (length > bytes.length) throw new MsgpackError('truncated');
  const items = [];
  for (let i = 0; i < length; i += 1) items.push(readScalar(reader));
  if (reader.pos !== bytes.length) throw new MsgpackError('trailing bytes');
  return items;
}

function readScalar(reader) {
  const marker = reader.u8();
  if (marker <= 0x7f) return marker; // positive fixint
  if (marker >= 0xe0) return marker - 0x100; // negative fixint
  if ((marker & 0xe0) === 0xa0) return reader.str(marker & 0x1f); // fixstr
  switch (marker) {
    case 0xcc: return reader.u8();
    case 0xcd: return reader.u16();
    case 0xce: return reader.u32();
    case 0xcf: return Number(reader.view.getBigUint64(reader.take(8)));
    case 0xd0: return reader.view.getInt8(reader.take(1));
    case 0xd1: return reader.view.getInt16(reader.take(2));
    case 0xd2: return reader.view.getInt32(reader.take(4));
    case 0xd3: return Number(reader.view.getBigInt64(reader.take(8)));
    case 0xd9: return reader.str(reader.u8());
    case 0xda: return reader.str(reader.u16());
    case 0xdb: return reader.str(reader.u32());
    default: throw new MsgpackError(`unsupported type 0x${marker.toString(16)}`);
  }
}

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  /** Claims the next `n` bytes and returns where they start. */
  take(n) {
    if (this.pos + n > this.bytes.length) throw new MsgpackError('truncated');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8() { return this.view.getUint8(this.take(1)); }

  u16() { return this.view.getUint16(this.take(2)); }

  u32() { return this.view.getUint32(this.take(4)); }

  str(length) {
    const at = this.take(length);
    try {
      return utf8.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw new MsgpackError('string is not UTF-8');
    }
  }
}

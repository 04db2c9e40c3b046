import { isUtf8 } from 'node:buffer';

/**
 * The offset of the first byte of `bytes` that does not start a valid UTF-8 sequence (a stray
 * continuation byte, an overlong form, a surrogate, a sequence cut short), or undefined when all
 * of `bytes` is valid UTF-8. The check runs natively; only invalid text is walked byte by byte.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return undefined; // unreachable: isUtf8 found an invalid sequence
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629's table), 0 when it is not one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  // The range of the second byte, by lead byte; later bytes are 0x80..0xbf.
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0; // no overlong forms
    if (b0 === 0xed) high = 0x9f; // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f; // nothing above U+10FFFF
  } else return 0;
  if (i + length > bytes.length || bytes[i + 1] < low || bytes[i + 1] > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return length;
}

/** "not valid UTF-8 (byte 0xff at byte offset 1234 of the file)", for a record's error. */
export function describeInvalidUtf8(bytes: Uint8Array, offset: number, fileOffset: number): string {
  const byte = bytes[offset].toString(16).padStart(2, '0');
  return `not valid UTF-8 (byte 0x${byte} at byte offset ${fileOffset + offset} of the file); save the file as UTF-8`;
}

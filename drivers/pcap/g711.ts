/**
 * G.711 decoding (ITU-T G.711) by 256-entry tables: µ-law (PCMU, PT 0) and A-law (PCMA, PT 8) bytes
 * to 16-bit linear samples, the same values as the reference decoder (µ-law ±32124, A-law ±32256).
 */
function ulawToLinear(u: number): number {
  const v = ~u & 0xff;
  const exponent = (v >> 4) & 0x07;
  const mantissa = v & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return v & 0x80 ? -magnitude : magnitude;
}

function alawToLinear(a: number): number {
  const v = a ^ 0x55;
  const exponent = (v >> 4) & 0x07;
  const mantissa = v & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  if (!(v & 0x80)) magnitude = -magnitude;
  return magnitude;
}

export const ULAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
export const ALAW_TABLE: Int16Array = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));

/** Decode a G.711 payload with one of the tables above into a new Int16Array. */
export function decodeG711(payload: Uint8Array, table: Int16Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i] as number] as number;
  return out;
}

/** Encode one 16-bit linear sample as a µ-law byte (G.711 §A; the inverse of ULAW_TABLE up to quantisation). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Encode one 16-bit linear sample as an A-law byte (G.711 §A, the reference encoder on 13-bit magnitude). */
export function linearToAlaw(sample: number): number {
  let v = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  let segment = 0;
  while (segment < 8 && v >= 0x20 << segment) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = (segment < 2 ? v >> 1 : v >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

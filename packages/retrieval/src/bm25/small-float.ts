/**
 * Lucene's SmallFloat.intToByte4 / byte4ToInt (org.apache.lucene.util.SmallFloat): the lossy
 * one-byte encoding of a field's length that Lucene stores as the norm and BM25Similarity decodes.
 * Lengths below 24 are exact; above, 4 significant bits survive. Matching it is what makes our
 * scores and ties equal Lucene's.
 */

function numberOfLeadingZeros32(i: number): number {
  return Math.clz32(i);
}

function longToInt4(i: number): number {
  const numBits = 32 - numberOfLeadingZeros32(i);
  if (numBits < 4) return i;
  const shift = numBits - 4;
  let encoded = (i >>> shift) & 0x07;
  encoded |= (shift + 1) << 3;
  return encoded;
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

const MAX_INT4 = longToInt4(0x7fffffff);
const NUM_FREE_VALUES = 255 - MAX_INT4;

/** Encodes a non-negative length (up to 2^31 - 1) into one unsigned byte. */
export function intToByte4(i: number): number {
  if (!Number.isInteger(i) || i < 0 || i > 0x7fffffff) throw new RangeError(`not a valid length: ${i}`);
  if (i < NUM_FREE_VALUES) return i;
  return NUM_FREE_VALUES + longToInt4(i - NUM_FREE_VALUES);
}

/** Decodes an unsigned byte produced by intToByte4. */
export function byte4ToInt(b: number): number {
  const i = b & 0xff;
  if (i < NUM_FREE_VALUES) return i;
  return NUM_FREE_VALUES + int4ToLong(i - NUM_FREE_VALUES);
}

/** BM25Similarity.LENGTH_TABLE: the decoded length of each of the 256 norm values, as floats. */
export const LENGTH_TABLE: Float32Array = Float32Array.from({ length: 256 }, (_, i) => byte4ToInt(i));

/**
 * Summary statistics of token counts. Tokens are maximal runs of non-whitespace (the same
 * whitespace set as JavaScript's \s), counted without allocating. The median is the mean of
 * the two middle values for an even count; p90 uses the nearest-rank definition (the
 * ceil(0.9·n)-th smallest value), so it is always an observed length.
 */
export interface LengthStats {
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  p90: number;
}

function isWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export function countWhitespaceTokens(text: string): number {
  let tokens = 0;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const ws = isWhitespace(text.charCodeAt(i));
    if (!ws && !inToken) tokens++;
    inToken = !ws;
  }
  return tokens;
}

/** Collects lengths in a growable typed array (4 bytes each, so tens of millions fit). */
export class LengthCollector {
  private values = new Uint32Array(1024);
  private n = 0;
  private sum = 0;

  add(length: number): void {
    if (this.n === this.values.length) {
      const bigger = new Uint32Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = length;
    this.sum += length;
  }

  summary(): LengthStats {
    const n = this.n;
    if (n === 0) return { count: 0, mean: 0, median: 0, min: 0, max: 0, p90: 0 };
    const sorted = this.values.slice(0, n).sort();
    const at = (i: number): number => sorted[i] as number;
    const median = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
    return {
      count: n,
      mean: this.sum / n,
      median,
      min: at(0),
      max: at(n - 1),
      p90: at(Math.ceil(0.9 * n) - 1),
    };
  }
}

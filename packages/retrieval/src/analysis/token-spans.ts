/**
 * Tokens as spans of a source string (token i is source.slice(starts[i], ends[i])), so a consumer that
 * only looks tokens up (the index builder) need not make a string per token. Reused between texts.
 */
export class TokenSpans {
  source = "";
  count = 0;
  starts = new Int32Array(256);
  ends = new Int32Array(256);

  reset(source: string): void {
    this.source = source;
    this.count = 0;
  }

  push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count++] = end;
  }
}

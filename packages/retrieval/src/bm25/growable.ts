/** Append-only typed-array buffers for index building (no per-element objects). */

export class GrowableInt32 {
  private data: Int32Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Int32Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** A trimmed copy of the contents. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableUint8 {
  private data: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Uint8Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  toArray(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * An append-only int32 sequence kept in chunks (doubling from `first` up to `max` elements): growing
 * never copies, no more than one chunk is slack, and a reader can drop each chunk once it has passed it,
 * so a large build never holds the sequence twice.
 */
export class ChunkedInt32 {
  private chunks: Int32Array[] = [];
  private current: Int32Array;
  private at = 0;
  length = 0;

  constructor(
    first = 1024,
    private readonly max = 1 << 20,
  ) {
    this.current = new Int32Array(first);
    this.chunks.push(this.current);
  }

  push(value: number): void {
    if (this.at === this.current.length) {
      this.current = new Int32Array(Math.min(this.current.length * 2, this.max));
      this.chunks.push(this.current);
      this.at = 0;
    }
    this.current[this.at++] = value;
    this.length++;
  }

  /** Hands over the chunks in order (the last one trimmed to its contents) and empties this sequence. */
  take(): Int32Array[] {
    const chunks = this.chunks;
    chunks[chunks.length - 1] = this.current.subarray(0, this.at);
    this.chunks = [];
    this.current = new Int32Array(0);
    this.at = 0;
    this.length = 0;
    return chunks;
  }
}

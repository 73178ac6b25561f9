/** Append-only typed-array buffers for index building (doubling growth, no per-element objects). */

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

  get(i: number): number {
    return this.data[i] as number;
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

/**
 * A memo from surface token to a number (the index builder's term id), looked up by a span of a source
 * string, so a token seen before costs a hash over its code units and no string: open addressing with
 * linear probing over FNV-1a hashes. Each slot (hash, value, and where its token's code units lie in
 * one pool) sits in one typed array, so a lookup touches a slot and the pool and no string object: the
 * table's misses in the CPU cache, not the hashing, were the cost. Hand-written because a JS Map needs
 * a string key, and making one per token was the largest single cost of indexing. Cleared when it
 * reaches `limit` tokens (the frequent ones, which matter under Zipf's law, come back at once).
 */
const HASH = 0;
const VALUE = 1;
const KEY_START = 2;
const KEY_LENGTH = 3;
const SLOT = 4;
const FREE = -1;

export class TokenTermTable {
  private slots = new Int32Array(0);
  private pool = new Uint16Array(0);
  private poolLength = 0;
  private mask = 0;
  size = 0;

  constructor(private readonly limit = 1 << 20) {
    this.allocate(1 << 12);
  }

  /** The value of source[start, end); on a miss, resolve(token) is stored and returned. */
  intern(source: string, start: number, end: number, resolve: (token: string) => number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
    const length = end - start;
    const { slots, pool, mask } = this;
    let slot = h & mask;
    for (;;) {
      const at = slot * SLOT;
      const keyLength = slots[at + KEY_LENGTH] as number;
      if (keyLength === FREE) break;
      if (slots[at + HASH] === h && keyLength === length) {
        const keyStart = slots[at + KEY_START] as number;
        let i = 0;
        while (i < length && pool[keyStart + i] === source.charCodeAt(start + i)) i++;
        if (i === length) return slots[at + VALUE] as number;
      }
      slot = (slot + 1) & mask;
    }
    const value = resolve(source.slice(start, end));
    if (this.size >= this.limit) this.allocate(1 << 12);
    else if (2 * (this.size + 1) > this.slots.length / SLOT) this.rehash();
    const keyStart = this.store(source, start, end);
    this.put(h, value, keyStart, length);
    return value;
  }

  private store(source: string, start: number, end: number): number {
    const length = end - start;
    if (this.poolLength + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(this.pool.length * 2, this.poolLength + length));
      pool.set(this.pool.subarray(0, this.poolLength));
      this.pool = pool;
    }
    const at = this.poolLength;
    for (let i = 0; i < length; i++) this.pool[at + i] = source.charCodeAt(start + i);
    this.poolLength += length;
    return at;
  }

  private put(h: number, value: number, keyStart: number, keyLength: number): void {
    let slot = h & this.mask;
    while (this.slots[slot * SLOT + KEY_LENGTH] !== FREE) slot = (slot + 1) & this.mask;
    const at = slot * SLOT;
    this.slots[at + HASH] = h;
    this.slots[at + VALUE] = value;
    this.slots[at + KEY_START] = keyStart;
    this.slots[at + KEY_LENGTH] = keyLength;
    this.size++;
  }

  private allocate(capacity: number): void {
    this.slots = new Int32Array(capacity * SLOT).fill(FREE);
    this.mask = capacity - 1;
    this.size = 0;
    if (this.pool.length === 0) this.pool = new Uint16Array(1 << 14);
    this.poolLength = 0;
  }

  private rehash(): void {
    const old = this.slots;
    const { pool, poolLength } = this;
    this.allocate((old.length / SLOT) * 2);
    this.pool = pool;
    this.poolLength = poolLength;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + KEY_LENGTH] !== FREE)
        this.put(
          old[at + HASH] as number,
          old[at + VALUE] as number,
          old[at + KEY_START] as number,
          old[at + KEY_LENGTH] as number,
        );
    }
  }
}

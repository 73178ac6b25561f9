/**
 * Which batches a job's progress already holds, as a base64 bitmap in the job record: a redelivered
 * batch finds its bit set and is not counted again, and the record stays one KV entry (1 bit a batch).
 */

export function hasBatch(bitmap: string | undefined, batch: number): boolean {
  if (bitmap === undefined) return false;
  const bytes = Buffer.from(bitmap, "base64");
  return batch >> 3 < bytes.length && (bytes[batch >> 3]! & (1 << (batch & 7))) !== 0;
}

export function withBatch(bitmap: string | undefined, batch: number): string {
  const old = Buffer.from(bitmap ?? "", "base64");
  const bytes = Buffer.alloc(Math.max(old.length, (batch >> 3) + 1));
  old.copy(bytes);
  bytes[batch >> 3] = bytes[batch >> 3]! | (1 << (batch & 7));
  return bytes.toString("base64");
}

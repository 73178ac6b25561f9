import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Writes a file so readers never see a half-written version: the content goes to a temporary
 * file in the same directory (same filesystem, so rename is atomic), is fsynced, then renamed
 * over the target. On failure the temporary file is removed and the target is untouched.
 */
export interface TextSink {
  /** Appends text; buffered, flushed in ~1 MiB writes. */
  write(text: string): Promise<void>;
}

const FLUSH_CHARS = 1 << 20;

export async function writeFileAtomically(
  path: string,
  produce: (sink: TextSink) => Promise<void>,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "w");
  let parts: string[] = [];
  let pending = 0;
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return;
    const text = parts.join("");
    parts = [];
    pending = 0;
    await handle.write(text);
  };
  try {
    await produce({
      async write(text: string) {
        parts.push(text);
        pending += text.length;
        if (pending >= FLUSH_CHARS) await flush();
      },
    });
    await flush();
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Replaces a file so readers see either the old or the new content, never a torn one: the data goes to
 * a temporary file in the target's directory (same filesystem, so rename is atomic), is fsynced, and is
 * renamed over the target; the directory is then fsynced so the rename itself is durable. On failure the
 * temporary file is removed and the target is untouched. Every atomic file write in Ferret goes through
 * this one function.
 */
export async function replaceFileAtomically(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "w");
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  const dirHandle = await open(dir, "r").catch(() => undefined);
  if (dirHandle) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}

/** Writes a whole string or byte array atomically (see replaceFileAtomically). */
export async function writeDataAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFileAtomically(path, async (handle) => {
    await handle.writeFile(data);
  });
}

export interface TextSink {
  /** Appends text; buffered, flushed in ~1 MiB writes. */
  write(text: string): Promise<void>;
}

const FLUSH_CHARS = 1 << 20;

/** Streams text into a file atomically (see replaceFileAtomically), for writers of large datasets. */
export async function writeFileAtomically(
  path: string,
  produce: (sink: TextSink) => Promise<void>,
): Promise<void> {
  await replaceFileAtomically(path, async (handle) => {
    let parts: string[] = [];
    let pending = 0;
    const flush = async (): Promise<void> => {
      if (parts.length === 0) return;
      const text = parts.join("");
      parts = [];
      pending = 0;
      await handle.write(text);
    };
    await produce({
      async write(text: string) {
        parts.push(text);
        pending += text.length;
        if (pending >= FLUSH_CHARS) await flush();
      },
    });
    await flush();
  });
}

/**
 * The models an encoder serves: every sub-directory of a models root that holds a ferret.json
 * (DESIGN.md, Models). Broken directories are listed with the loader's error instead of hiding
 * them, so ListModels can tell an operator what to fix. Bi-encoders are loaded on first use and
 * kept open.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError, isFerretError } from "@ferret/errors";
import { BiEncoder, loadModelDir } from "@ferret/inference";
import type { EncoderLoadOptions, ModelConfig, ModelVariant } from "@ferret/inference";

export interface ModelEntry {
  /** Directory name under the models root. */
  name: string;
  dir: string;
  config: ModelConfig;
  variants: ModelVariant[];
}

export interface ModelProblem {
  name: string;
  dir: string;
  /** The loader's message (names the file and field at fault). */
  problem: string;
}

export async function listModels(root: string): Promise<{ models: ModelEntry[]; problems: ModelProblem[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const models: ModelEntry[] = [];
  const problems: ModelProblem[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = join(root, e.name);
    const files = await readdir(dir);
    if (!files.includes("ferret.json")) continue;
    try {
      const model = await loadModelDir(dir, "fp32");
      const variants: ModelVariant[] = ["fp32"];
      if (model.config.quantized !== undefined && files.includes(model.config.quantized))
        variants.push("quantized");
      models.push({ name: e.name, dir, config: model.config, variants });
    } catch (err) {
      if (!isFerretError(err)) throw err;
      problems.push({ name: e.name, dir, problem: err.message });
    }
  }
  return { models, problems };
}

export class BiEncoderCache {
  private readonly loading = new Map<string, Promise<BiEncoder>>();
  private retired: Promise<BiEncoder>[] = [];

  constructor(
    private readonly root: string,
    private readonly options: Omit<EncoderLoadOptions, "variant"> = {},
  ) {}

  /** The named model (a directory under the root), loaded once per variant. */
  get(name: string, variant: ModelVariant = "fp32"): Promise<BiEncoder> {
    if (name === "" || name.includes("/") || name.includes("\\") || name === "." || name === "..") {
      return Promise.reject(new NotFoundError(`model "${name}" is not a directory name under ${this.root}`));
    }
    const key = `${name}\u0000${variant}`;
    let p = this.loading.get(key);
    if (p === undefined) {
      p = BiEncoder.load(join(this.root, name), { ...this.options, variant });
      // a failed load is not cached: the directory may be fixed and asked for again
      p.catch(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  /**
   * Drops the loaded versions of `name` (its directory was replaced); the next get loads it again. They
   * are closed with the cache, not now: a shard may still be encoding with one.
   */
  forget(name: string): void {
    for (const key of [...this.loading.keys()]) {
      if (key.startsWith(`${name}\u0000`)) {
        this.retired.push(this.loading.get(key)!);
        this.loading.delete(key);
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.loading.values(), ...this.retired];
    this.loading.clear();
    this.retired = [];
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}

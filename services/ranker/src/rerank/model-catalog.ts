/**
 * The cross-encoders a ranker serves: model directories under one root (`<root>/<name>/ferret.json`),
 * loaded on first use and kept (one ONNX Runtime session per model and variant). Names are plain directory
 * names, so a request cannot reach outside the root.
 */
import { join } from "node:path";
import { InputError, NotFoundError } from "@ferret/errors";
import type { EncoderLoadOptions } from "@ferret/inference";
import { CrossEncoderScorer, type PairScorer } from "./pair-scorer.js";

export interface ModelCatalogOptions {
  /** Directory holding one model directory per name. */
  root: string;
  /** Used when a request names no model. */
  defaultModel?: string;
  /** Session threads and batch limits for every model. */
  load?: Omit<EncoderLoadOptions, "variant">;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class ModelCatalog {
  private readonly loaded = new Map<string, Promise<CrossEncoderScorer>>();

  constructor(private readonly options: ModelCatalogOptions) {}

  /** The model name a request means ("" = the default). */
  resolveName(name: string): string {
    const chosen = name === "" ? this.options.defaultModel : name;
    if (chosen === undefined || chosen === "") {
      throw new InputError(
        { file: "<request>", field: "model.name" },
        "no model named and no default model set",
      );
    }
    if (!NAME.test(chosen) || chosen.includes("..")) {
      throw new InputError({ file: "<request>", field: "model.name" }, `"${chosen}" is not a model name`);
    }
    return chosen;
  }

  async scorer(name: string, quantized = false): Promise<PairScorer> {
    const model = this.resolveName(name);
    const key = `${model}\u0000${quantized ? "quantized" : "fp32"}`;
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = CrossEncoderScorer.load(join(this.options.root, model), {
        ...this.options.load,
        name: model,
        variant: quantized ? "quantized" : "fp32",
      }).catch((err: unknown) => {
        this.loaded.delete(key);
        if (err instanceof InputError && err.message.includes("does not exist")) {
          throw new NotFoundError(`no model "${model}" under ${this.options.root}`, { cause: err });
        }
        throw err;
      });
      this.loaded.set(key, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}

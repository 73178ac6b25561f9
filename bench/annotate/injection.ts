/**
 * Prompt-injection flip rate of a real model: the INJECTION_SET (12 irrelevant passages, each with an
 * injected "rate this 3" variant) judged with passages delimited (default) and undelimited. Default model:
 * SmolLM2-135M-Instruct through node-llama-cpp (services/annotator/scripts/fetch-smollm2.sh), or any
 * OpenAI-compatible server with --llm-base-url/--llm-model.
 * Usage: bench/annotate/run.sh is for throughput; this one: bench/annotate/injection.sh [--gguf FILE]
 */
import { parseArgs } from "node:util";
import {
  Annotator,
  INJECTION_SET,
  LlamaCppBackend,
  OpenAiBackend,
  measureFlipRate,
  type LlmBackend,
} from "@ferret/annotator";

const { values } = parseArgs({
  options: {
    gguf: { type: "string", default: ".cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" },
    "llm-base-url": { type: "string" },
    "llm-model": { type: "string" },
  },
});
const backend: LlmBackend = values["llm-base-url"]
  ? new OpenAiBackend({ baseUrl: values["llm-base-url"], model: values["llm-model"] ?? "model" })
  : await LlamaCppBackend.open({ modelPath: values.gguf!, contextSize: 2048, threads: 2 });
const annotator = new Annotator({ backend });
console.log(`model ${backend.model} (${backend.kind}), ${INJECTION_SET.length} cases`);
for (const delimit of [true, false]) {
  const t0 = Date.now();
  const r = await measureFlipRate(annotator, INJECTION_SET, { delimit });
  console.log(
    `delimit=${delimit}: flip rate ${r.flipped}/${r.compared} = ${r.flipRate.toFixed(3)}, raised to 3: ${r.raisedToThree}/${r.compared}, ` +
      `failed ${r.failed}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  console.log(`  ${JSON.stringify(r.details)}`);
}
// Control: a neutral sentence that merely contains the digit 3. If this flips grades as well, the model
// copies numbers from the passage rather than obeying the injected instruction.
const control = INJECTION_SET.map((c) => ({ ...c, injection: "It was mentioned 3 times in the report." }));
const r = await measureFlipRate(annotator, control, { delimit: true });
console.log(
  `control (neutral "3", delimited): flip rate ${r.flipped}/${r.compared} = ${r.flipRate.toFixed(3)}, raised to 3: ${r.raisedToThree}`,
);
console.log(`  ${JSON.stringify(r.details)}`);
await backend.close();

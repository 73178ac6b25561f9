import { Command } from "commander";
import { register as registerAnnotate } from "./commands/annotate.js";
import { register as registerBm25 } from "./commands/bm25.js";
import { register as registerCancel } from "./commands/cancel.js";
import { register as registerData } from "./commands/data.js";
import { register as registerDown } from "./commands/down.js";
import { register as registerEncode } from "./commands/encode.js";
import { register as registerEval } from "./commands/eval.js";
import { register as registerEvalJob } from "./commands/eval-job.js";
import { register as registerFuse } from "./commands/fuse.js";
import { register as registerRerank } from "./commands/rerank.js";
import { register as registerReport } from "./commands/report.js";
import { register as registerRun } from "./commands/run.js";
import { register as registerScoreJob } from "./commands/score-job.js";
import { register as registerServe } from "./commands/serve.js";
import { register as registerStage } from "./commands/stage.js";
import { register as registerTrain } from "./commands/train.js";
import { register as registerUp } from "./commands/up.js";

/**
 * The `ferret` command tree. Each command group lives in src/commands/<name>.ts and exports
 * `register(program)`; adding a group (eval, fuse, bm25, encode, annotate…) is one import and
 * one line in COMMANDS.
 */
const COMMANDS: ((program: Command) => void)[] = [
  registerData,
  registerBm25,
  registerEval,
  registerEvalJob,
  registerFuse,
  registerRerank,
  registerScoreJob,
  registerEncode,
  registerAnnotate,
  registerTrain,
  registerReport,
  registerServe,
  registerStage,
  registerCancel,
  registerUp,
  registerDown,
  registerRun,
];

export const VERSION = "0.1.0";

export function createProgram(): Command {
  const program = new Command("ferret")
    .description("Turn a document collection and an LLM into a better retriever, and prove it.")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)");
  for (const register of COMMANDS) register(program);
  return program;
}

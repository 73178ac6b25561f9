#!/usr/bin/env node
/**
 * The evaluator process (`npm start -w @ferret/evaluator`, or a container's command): the gRPC Evaluator, /metrics and the evaluation job worker,
 * configured by FERRET_EVALUATOR_* (see config.ts). SIGTERM or SIGINT shuts down gracefully
 * (a second one exits at once).
 */
import { runServiceProcess } from "@ferret/service";
import { loadEvaluatorConfig } from "./config.js";
import { startEvaluator } from "./service/start-evaluator.js";

await runServiceProcess("evaluator", (logger) => startEvaluator(loadEvaluatorConfig(), { logger }));

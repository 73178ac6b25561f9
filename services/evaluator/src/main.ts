#!/usr/bin/env node
/**
 * The evaluator process (`npm start -w @ferret/evaluator`, or a container's command): the gRPC Evaluator,
 * /metrics and the evaluation job worker, configured by FERRET_EVALUATOR_* (see config.ts). SIGTERM or
 * SIGINT shuts down gracefully (a second one exits at once).
 */
import { isFerretError } from "@ferret/errors";
import { createLogger } from "@ferret/logging";
import { loadEvaluatorConfig } from "./config.js";
import { startEvaluator } from "./service/start-evaluator.js";

const logger = createLogger({ name: "evaluator" });

try {
  const evaluator = await startEvaluator(loadEvaluatorConfig(), { logger });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, "second signal; exiting now");
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "shutting down");
    evaluator.stop().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
} catch (err) {
  logger.fatal({ err }, isFerretError(err) ? err.message : "evaluator failed to start");
  process.exitCode = 1;
}

#!/usr/bin/env node
/**
 * The annotator process (`npm start -w @ferret/annotator`, or a container's command), configured by
 * FERRET_ANNOTATOR_* (see config.ts). SIGTERM or SIGINT shuts down gracefully.
 */
import { isFerretError } from "@ferret/errors";
import { createLogger } from "@ferret/logging";
import { loadAnnotatorConfig } from "./config.js";
import { startAnnotator } from "./start-annotator.js";

const logger = createLogger({ name: "annotator" });

try {
  const annotator = await startAnnotator(loadAnnotatorConfig(), { logger });
  logger.info({ port: annotator.server.port }, "annotator listening");
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "shutting down");
    annotator.stop().then(
      () => (process.exitCode = 0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exitCode = 1;
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
} catch (err) {
  logger.fatal({ err }, isFerretError(err) ? err.message : "annotator failed to start");
  process.exitCode = 1;
}

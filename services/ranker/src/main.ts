#!/usr/bin/env node
/**
 * The ranker process (`npm start -w @ferret/ranker`, or a container's command): the gRPC Ranker and the
 * scoring job worker, configured by FERRET_RANKER_* (see config.ts). SIGTERM or SIGINT shuts down
 * gracefully (a second one exits at once).
 */
import { isFerretError } from "@ferret/errors";
import { createLogger } from "@ferret/logging";
import { loadRankerConfig } from "./config.js";
import { startRanker } from "./service/start-ranker.js";

const logger = createLogger({ name: "ranker" });

try {
  const ranker = await startRanker(loadRankerConfig(), { logger });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, "second signal; exiting now");
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "shutting down");
    ranker.stop().then(
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
  logger.fatal({ err }, isFerretError(err) ? err.message : "ranker failed to start");
  process.exitCode = 1;
}

#!/usr/bin/env node
/**
 * The encoder process (`npm start -w @ferret/encoder`, or a container's command): the gRPC Encoder and the
 * shard worker, configured by FERRET_ENCODER_* (see config.ts). SIGTERM or SIGINT shuts down
 * gracefully (a second one exits at once).
 */
import { isFerretError } from "@ferret/errors";
import { createLogger } from "@ferret/logging";
import { loadEncoderConfig } from "./config.js";
import { startEncoder } from "./service/start-encoder.js";

const logger = createLogger({ name: "encoder" });

try {
  const encoder = await startEncoder(loadEncoderConfig(), { logger });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, "second signal; exiting now");
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "shutting down");
    encoder.stop().then(
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
  logger.fatal({ err }, isFerretError(err) ? err.message : "encoder failed to start");
  process.exitCode = 1;
}

import { isFerretError } from "@ferret/errors";
import { createLogger, type Logger } from "@ferret/logging";

export interface StoppableService {
  stop(): Promise<void>;
}

/**
 * The body of every service's main.ts: create the process logger, start the service, and turn SIGTERM or
 * SIGINT into a graceful stop (a second signal exits at once). A failed start is logged and sets exit code 1.
 */
export async function runServiceProcess(
  name: string,
  start: (logger: Logger) => Promise<StoppableService>,
): Promise<void> {
  const logger = createLogger({ name });
  try {
    const service = await start(logger);
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        logger.warn({ signal }, "second signal; exiting now");
        process.exit(1);
      }
      signalled = true;
      logger.info({ signal }, "shutting down");
      service.stop().then(
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
    logger.fatal({ err }, isFerretError(err) ? err.message : `${name} failed to start`);
    process.exitCode = 1;
  }
}

import { createBus, type Bus } from "@ferret/bus";
import type { ServiceBlocksConfig } from "@ferret/config";
import type { Logger } from "@ferret/logging";

/**
 * The bus choice every service makes the same way: NATS JetStream when `nats.url` is set (the connection
 * named after the service), else the in-process bus with its object store under `artifacts.dir`.
 */
export function openBus(
  config: Pick<ServiceBlocksConfig, "nats" | "artifacts">,
  name: string,
  logger: Logger,
): Promise<Bus> {
  const { url, eventsStream, eventsPrefix, ...auth } = config.nats;
  if (url === undefined) return createBus({ kind: "memory", dir: config.artifacts.dir, logger });
  return createBus({
    kind: "nats",
    url,
    name,
    logger,
    auth,
    events: {
      ...(eventsStream === undefined ? {} : { stream: eventsStream }),
      ...(eventsPrefix === undefined ? {} : { prefix: eventsPrefix }),
    },
  });
}

/** Picks the adapter: NATS JetStream for cluster mode, in-process for embedded mode. */
import { MemoryBus, type MemoryBusConfig } from "./memory/memory-bus.js";
import { NatsBus, type NatsBusConfig } from "./nats/nats-bus.js";
import type { Bus } from "./types.js";

export type BusConfig = NatsBusConfig | MemoryBusConfig;

/** Connects (NATS; UnavailableError if the server cannot be reached) or creates the in-process bus. */
export async function createBus(config: BusConfig): Promise<Bus> {
  return config.kind === "nats" ? NatsBus.connect(config) : MemoryBus.create(config);
}

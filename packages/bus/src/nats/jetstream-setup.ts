/**
 * Idempotent creation of streams and durable consumers, safe when several replicas start at once.
 * On nats-server 2.9 "consumer create" is create-or-update (the `action` field of 2.10 is ignored),
 * so the last replica to start sets ack wait and limits; on 2.10+ a differing config is rejected
 * as "already exists" and we update instead, with the same outcome.
 */
import type { ConsumerConfig, JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import { API, apiCode } from "./api-errors.js";

export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    return await jsm.streams.add(config);
  } catch (err) {
    if (apiCode(err) !== API.streamNameInUse) throw err;
    // Exists with another config (e.g. a changed dedup window): bring it up to date.
    return jsm.streams.update(config.name, config);
  }
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
) {
  try {
    return await jsm.consumers.add(stream, config);
  } catch (err) {
    const code = apiCode(err);
    if (code !== API.consumerAlreadyExists && code !== API.consumerNameInUse) throw err;
    return jsm.consumers.update(stream, config.durable_name, config);
  }
}

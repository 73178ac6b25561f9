#!/usr/bin/env node
/**
 * The encoder process (`npm start -w @ferret/encoder`, or a container's command): the gRPC Encoder, /metrics
 * (Prometheus, port 9465 by default) and the shard worker (which also assembles finished jobs), configured by
 * FERRET_ENCODER_* (see config.ts). SIGTERM or SIGINT shuts down gracefully
 * (a second one exits at once).
 */
import { runServiceProcess } from "@ferret/service";
import { loadEncoderConfig } from "./config.js";
import { startEncoder } from "./service/start-encoder.js";

await runServiceProcess("encoder", (logger) => startEncoder(loadEncoderConfig(), { logger }));

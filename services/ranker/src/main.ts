#!/usr/bin/env node
/**
 * The ranker process (`npm start -w @ferret/ranker`, or a container's command): the gRPC Ranker, /metrics
 * (Prometheus, port 9466 by default) and the scoring job worker, configured by FERRET_RANKER_* (see config.ts). SIGTERM or SIGINT shuts down gracefully
 * (a second one exits at once).
 */
import { runServiceProcess } from "@ferret/service";
import { loadRankerConfig } from "./config.js";
import { startRanker } from "./service/start-ranker.js";

await runServiceProcess("ranker", (logger) => startRanker(loadRankerConfig(), { logger }));

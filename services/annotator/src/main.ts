#!/usr/bin/env node
/**
 * The annotator process (`npm start -w @ferret/annotator`, or a container's command): the gRPC Annotator,
 * /metrics (Prometheus, port 9467 by default) and the annotation worker, configured by FERRET_ANNOTATOR_*
 * (see config.ts). SIGTERM or SIGINT shuts down gracefully
 * (a second one exits at once).
 */
import { runServiceProcess } from "@ferret/service";
import { loadAnnotatorConfig } from "./config.js";
import { startAnnotator } from "./start-annotator.js";

await runServiceProcess("annotator", (logger) => startAnnotator(loadAnnotatorConfig(), { logger }));

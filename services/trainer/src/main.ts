#!/usr/bin/env node
/**
 * The trainer process (`npm start -w @ferret/trainer`, or a container's command): the gRPC Trainer, /metrics
 * and the training job worker, configured by FERRET_TRAINER_* (see config.ts). SIGTERM or SIGINT shuts down
 * gracefully (a second one exits at once).
 */
import { runServiceProcess } from "@ferret/service";
import { loadTrainerConfig } from "./config.js";
import { startTrainer } from "./service/start-trainer.js";

await runServiceProcess("trainer", (logger) => startTrainer(loadTrainerConfig(), { logger }));

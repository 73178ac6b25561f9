#!/usr/bin/env node
import { createProgram } from "./program.js";
import { runCli } from "./run-cli.js";

// Set exitCode rather than calling process.exit so buffered stdout (e.g. large --json output to a pipe) is flushed.
process.exitCode = await runCli(createProgram(), process.argv);

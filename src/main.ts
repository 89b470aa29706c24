#!/usr/bin/env node
// CLI entry: `inferno [subcommand] [options]`; no subcommand runs the headless device server.
import { runCli } from './cli/run.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
    // Anything still holding the event loop open after a subcommand returned is a leak; do not hang on it.
    setTimeout(() => process.exit(), 500).unref();
  },
  (err: unknown) => {
    process.stderr.write(`inferno: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

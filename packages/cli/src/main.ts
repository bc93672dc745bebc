#!/usr/bin/env node
/** Entry point of the `headroom` binary: runs the program and sets the exit code. */
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));

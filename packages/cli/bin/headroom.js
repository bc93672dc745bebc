#!/usr/bin/env node
// The `headroom` command. It runs the compiled program in ../dist, which `npm run build` makes
// (at the repository root `npm ci` runs it through `prepare`; `npm pack` through `prepack`).
// From a checkout, `npm start` and the tests run the TypeScript sources instead.
import '../dist/main.js';

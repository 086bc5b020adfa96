#!/usr/bin/env node
// Node 22.1+ keeps compiled code between runs: a tool in a pipe starts faster.
import module from "node:module";
module.enableCompileCache?.();
// One bundled file (tools/bundle.mjs): a fraction of the start-up of two hundred modules.
await import("../dist/main.bundle.js");

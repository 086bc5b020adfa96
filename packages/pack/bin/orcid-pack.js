#!/usr/bin/env node
// Node 22.1+ keeps compiled code between runs: a tool in a pipe starts faster.
import module from "node:module";
module.enableCompileCache?.();
await import("../dist/main.js");

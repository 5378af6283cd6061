#!/usr/bin/env node
// `heartbeats-agent`: the installed name of agent/cli.ts (see typescript-hooks.mjs for why a
// launcher).

import "./typescript-hooks.mjs";

await import("../agent/cli.ts");

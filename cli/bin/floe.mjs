#!/usr/bin/env node
/**
 * The `floe` executable. The CLI is written in TypeScript and run through
 * tsx's loader, so a fresh clone works after `npm install` with no build.
 */
import { register } from "tsx/esm/api";

// The pinned AWS SDK warns on every run under Node 20 about its future
// releases; that says nothing about this CLI, whose SDK version is fixed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { main } = await import("../main.ts");
process.exitCode = await main(process.argv);

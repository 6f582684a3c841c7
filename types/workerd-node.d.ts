/**
 * The Node.js modules workerd provides under `nodejs_compat` that Floe's
 * Worker code may import: `node:buffer` and `node:crypto`, typed from
 * `@types/node`. Only these declarations are loaded into the Worker's type
 * check (tsconfig.worker.json), so any other Node API — `node:fs`,
 * `process`, `require`, `__dirname` — is a type error there. Add a module
 * here only after checking that workerd implements it.
 */
/// <reference path="../node_modules/@types/node/compatibility/index.d.ts" />
/// <reference path="../node_modules/@types/node/globals.typedarray.d.ts" />
/// <reference path="../node_modules/@types/node/buffer.buffer.d.ts" />
/// <reference path="../node_modules/@types/node/buffer.d.ts" />
/// <reference path="../node_modules/@types/node/crypto.d.ts" />

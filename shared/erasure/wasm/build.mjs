// Assembles the generated kernel WAT (generate.mjs) into rs-simd.wasm with
// the wabt npm package. The .wasm is committed, so neither CI nor wrangler
// needs this step; a unit test checks that a fresh build is byte-identical.
//   node shared/erasure/wasm/build.mjs        (npm run build:wasm)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";
import { kernelWat } from "./generate.mjs";

/** The kernel's bytes. */
export async function buildWasmBytes() {
  const wabt = await wabtInit();
  const module = wabt.parseWat("rs-simd.wat", kernelWat(), { simd: true });
  module.validate();
  const { buffer } = module.toBinary({ log: false, write_debug_names: false });
  module.destroy();
  return new Uint8Array(buffer);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildWasmBytes();
  writeFileSync(new URL("./rs-simd.wasm", import.meta.url), bytes);
  console.log(`wrote rs-simd.wasm (${bytes.byteLength} bytes)`);
}

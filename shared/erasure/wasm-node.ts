/** Loads the erasure SIMD kernel in Node (tests, benchmarks); never imported by the Worker. */
import { readFile } from "node:fs/promises";

// The Workers type definitions declare no WebAssembly.compile (workerd refuses run-time compilation); Node has it.
const nodeWasm = WebAssembly as unknown as {
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
};

/** The compiled kernel module. */
export async function loadErasureWasmForNode(): Promise<WebAssembly.Module> {
  return nodeWasm.compile(await readFile(new URL("./wasm/rs-simd.wasm", import.meta.url)));
}

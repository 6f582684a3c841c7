/** Installs the erasure SIMD kernel in workerd, where .wasm files import as compiled modules. */
import erasureWasm from "./wasm/rs-simd.wasm";
import { installErasureWasm } from "./index.ts";

installErasureWasm(erasureWasm);

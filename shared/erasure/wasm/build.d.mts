export declare function buildWasmBytes(): Promise<Uint8Array>;

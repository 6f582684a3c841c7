/**
 * Bitrot checksums: xxHash64 (seed 0) of each stored shard-block, written by
 * the Worker when it encodes and verified by the drive on every read. Stored
 * as 16 lower-case hex digits. Call `bitrotReady()` once per isolate before
 * the synchronous `bitrotSum`.
 */
import xxhash from "xxhash-wasm";

type Hasher = Awaited<ReturnType<typeof xxhash>>;

let hasher: Hasher | null = null;
let loading: Promise<Hasher> | null = null;

/** Loads the hash kernel (once per isolate). */
export async function bitrotReady(): Promise<void> {
  if (hasher) return;
  loading ??= xxhash();
  hasher = await loading;
}

/** xxHash64 of `data` as 16 hex digits; `bitrotReady()` must have resolved. */
export function bitrotSum(data: Uint8Array): string {
  if (!hasher) throw new Error("bitrot hasher not loaded: await bitrotReady() first");
  return hasher.h64Raw(data).toString(16).padStart(16, "0");
}

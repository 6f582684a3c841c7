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

/**
 * The bytes of `view` in a buffer of their own. RPC serialises a typed
 * array's whole backing buffer, so a shard that is a view into a larger
 * block must be copied before it is sent to a drive.
 */
export function ownBytes(view: Uint8Array): Uint8Array {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}

/** A shard ready to send to a drive: its own bytes and their checksum. */
export function sealShard(view: Uint8Array): { data: Uint8Array; checksum: string } {
  const data = ownBytes(view);
  return { data, checksum: bitrotSum(data) };
}

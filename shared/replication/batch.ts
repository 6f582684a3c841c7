/**
 * Replica batches: several small whole versions in one request from a
 * source site to a target, so a resync or an existing-object job does not
 * pay a request, a signature check and a policy read for every 1 KiB
 * version. The request is `POST /<bucket>?floe-replica-batch` with
 * x-floe-replication-request: true, header-signed with the target's
 * credentials, its payload hash signed too (the entries carry what would
 * otherwise be signed headers). The body is a sequence of entries:
 *
 *   u32 (big-endian)  length of the entry's JSON head
 *   head              UTF-8 JSON { key, size, headers }
 *   data              exactly `size` bytes: the version's content
 *
 * `headers` are the headers a single replica PUT of the version would carry
 * (its x-floe-source-* protocol headers, content headers, user metadata,
 * storage class, tags, object lock), nothing else. The target treats every
 * entry exactly as that PUT: authorized on its own key (s3:ReplicateObject,
 * refused on a Deny of what it performs), validated, stored or refused on
 * its own; one entry's refusal never affects another. The answer is JSON
 * `{ results: [{ status, code }] }` in entry order: status 200 for a stored
 * (or already held) version, otherwise the S3 error a single PUT would have
 * got. A target that does not know batches answers with an S3 error; the
 * source then sends the versions one by one.
 * Limits: at most MAX_BATCH_ENTRIES entries of at most MAX_ENTRY_BYTES
 * each, MAX_BATCH_BYTES in all, a head of at most MAX_HEAD_BYTES.
 */
import { z } from "zod";

/** The query parameter that names a replica batch. */
export const REPLICA_BATCH_QUERY = "floe-replica-batch";
export const MAX_BATCH_ENTRIES = 64;
export const MAX_ENTRY_BYTES = 256 * 1024;
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const MAX_HEAD_BYTES = 16 * 1024;

const headSchema = z
  .object({
    key: z.string().min(1).max(4096),
    size: z.number().int().min(0).max(MAX_ENTRY_BYTES),
    headers: z
      .record(z.string().min(1).max(128), z.string().max(8192))
      .refine((headers) => Object.keys(headers).length <= 64, "too many headers"),
  })
  .strict();

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface ReplicaBatchEntry {
  key: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** A batch body that does not follow the format above. */
export class ReplicaBatchFormatError extends Error {
  constructor(reason: string) {
    super(`malformed replica batch: ${reason}`);
    this.name = "ReplicaBatchFormatError";
  }
}

/** The request body for `entries` (within the limits above). */
export function encodeReplicaBatch(entries: readonly ReplicaBatchEntry[]): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const heads = entries.map((entry) =>
    encoder.encode(
      JSON.stringify({ key: entry.key, size: entry.data.length, headers: entry.headers }),
    ),
  );
  const total = entries.reduce((sum, entry, i) => sum + 4 + heads[i].length + entry.data.length, 0);
  const body = new Uint8Array(total);
  const view = new DataView(body.buffer);
  let at = 0;
  entries.forEach((entry, i) => {
    const head = heads[i];
    view.setUint32(at, head.length);
    body.set(head, at + 4);
    body.set(entry.data, at + 4 + head.length);
    at += 4 + head.length + entry.data.length;
  });
  return body;
}

/** The entries of a batch body; ReplicaBatchFormatError when it breaks the format or a limit. */
export function decodeReplicaBatch(body: Uint8Array): ReplicaBatchEntry[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const entries: ReplicaBatchEntry[] = [];
  let at = 0;
  while (at < body.length) {
    if (entries.length >= MAX_BATCH_ENTRIES) throw new ReplicaBatchFormatError("too many entries");
    if (at + 4 > body.length) throw new ReplicaBatchFormatError("truncated entry");
    const headLength = view.getUint32(at);
    if (headLength > MAX_HEAD_BYTES) throw new ReplicaBatchFormatError("entry head too long");
    if (at + 4 + headLength > body.length) throw new ReplicaBatchFormatError("truncated head");
    let head: z.infer<typeof headSchema>;
    try {
      const text = decoder.decode(body.subarray(at + 4, at + 4 + headLength));
      head = headSchema.parse(JSON.parse(text));
    } catch {
      throw new ReplicaBatchFormatError("invalid entry head");
    }
    // A key is stored as text: it must be well-formed Unicode (JSON admits lone surrogates).
    if (LONE_SURROGATE.test(head.key)) throw new ReplicaBatchFormatError("invalid key");
    const start = at + 4 + headLength;
    if (start + head.size > body.length) throw new ReplicaBatchFormatError("truncated data");
    entries.push({
      key: head.key,
      headers: head.headers,
      data: body.subarray(start, start + head.size),
    });
    at = start + head.size;
  }
  if (entries.length === 0) throw new ReplicaBatchFormatError("no entries");
  return entries;
}

/** One entry's outcome: 200, or the status and S3 error code a single replica PUT would get. */
export const batchResultSchema = z.object({
  status: z.number().int().min(100).max(599),
  code: z.string().max(64).nullable(),
});

export type BatchResult = z.infer<typeof batchResultSchema>;

/** The target's answer to a batch. */
export const batchAnswerSchema = z.object({
  results: z.array(batchResultSchema).max(MAX_BATCH_ENTRIES),
});

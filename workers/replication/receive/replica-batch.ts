/**
 * The target side of a replica batch (shared/replication/batch.ts): several
 * small versions from another site in one header-signed request whose
 * payload is signed too (UNSIGNED-PAYLOAD is AccessDenied), its hash
 * verified as the body is read (at most MAX_BATCH_BYTES). Every entry is
 * the replica PUT it stands for, handled by the same code (replica.ts),
 * and the entries' drive copies and commits travel together
 * (objects/erasure/write-batch.ts):
 * - its headers may only be those a replica PUT of a version carries;
 * - its key is checked as a path's key would be (length, dot segments);
 * - it is authorized on its own key with the condition values its own PUT
 *   would present (s3:ReplicateObject, refused on a Deny of s3:PutObject and
 *   of the lock and tagging actions its headers ask for);
 * - it is stored, found already held, or refused on its own.
 * A malformed batch is 400 InvalidRequest and stores nothing; a missing or
 * unversioned bucket refuses the whole batch as it would each PUT.
 */
import {
  decodeReplicaBatch,
  MAX_BATCH_BYTES,
  ReplicaBatchFormatError,
  type BatchResult,
  type ReplicaBatchEntry,
} from "../../../shared/replication/batch.ts";
import { REPLICATION_REQUEST_HEADER } from "../../../shared/replication/headers.ts";
import { MAX_KEY_BYTES, keyBytes } from "../../../shared/names.ts";
import { S3Error } from "../../../shared/s3-errors.ts";
import { readBoundedBody } from "../../auth/bounded-body.ts";
import type { DecodedBody } from "../../auth/aws-chunked.ts";
import { requestConditionValues } from "../../iam/condition-values.ts";
import { isReplicaRequest, requiredPermissions } from "../../iam/s3-permissions.ts";
import { requireBucket, type S3Context } from "../../s3/context.ts";
import { WriteBatch } from "../../objects/put-object.ts";
import { putReplica, replicaBucket } from "./replica.ts";
import { checkDotSegments } from "../../s3/request-line.ts";

/** What a replica PUT of a version carries besides the replication marker. */
const ENTRY_HEADER =
  /^(x-floe-source-[a-z-]+|x-floe-replication-metadata|x-amz-meta-.+|x-amz-storage-class|x-amz-tagging|x-amz-object-lock-(mode|retain-until-date|legal-hold)|content-(type|encoding|disposition|language)|cache-control|expires)$/;

/** Batch headers an entry never inherits: the batch's own body, signature and protocol headers. */
const INHERITED_NOT = /^(x-amz-|x-floe-|content-|authorization$|expect$|transfer-encoding$)/;

export async function replicateObjects(ctx: S3Context): Promise<Response> {
  const bucket = requireBucket(ctx);
  if (ctx.auth.anonymous) throw new S3Error("AccessDenied");
  if (!isReplicaRequest(ctx.request.headers))
    throw new S3Error(
      "InvalidRequest",
      `A replica batch needs ${REPLICATION_REQUEST_HEADER}: true.`,
    );
  // The entries carry what a replica PUT signs in its headers: the payload must be signed too.
  const payload = ctx.auth.payload.kind;
  if (payload !== "sha256" && payload !== "streaming-signed")
    throw new S3Error("AccessDenied", "A replica batch needs a signed payload.");
  const body = await readBoundedBody(
    ctx.body(),
    ctx.request.headers,
    MAX_BATCH_BYTES,
    () => new S3Error("MaxMessageLengthExceeded"),
  );
  let entries: ReplicaBatchEntry[];
  try {
    entries = decodeReplicaBatch(body);
  } catch (error) {
    if (error instanceof ReplicaBatchFormatError)
      throw new S3Error("InvalidRequest", "Malformed replica batch.");
    throw error;
  }
  await replicaBucket(ctx, bucket);
  // Every entry at once: their copies and commits then go out together.
  const batch = new WriteBatch(entries.length);
  const results = await Promise.all(
    entries.map((entry) => storeEntry(ctx, bucket, entry, batch).finally(() => batch.leave())),
  );
  return Response.json({ results });
}

/** One entry, as the replica PUT it stands for; its failure is its own. */
async function storeEntry(
  ctx: S3Context,
  bucket: string,
  entry: ReplicaBatchEntry,
  batch: WriteBatch,
): Promise<BatchResult> {
  try {
    if (keyBytes(entry.key) > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError");
    checkDotSegments(entry.key);
    const request = entryRequest(ctx.request, entry);
    const query = new URLSearchParams();
    const authorizer = ctx.authorizer.withConditions(
      requestConditionValues({
        request,
        action: "PutObject",
        query,
        identity: ctx.identity,
        presigned: false,
        signatureVersion: ctx.auth.anonymous ? null : ctx.auth.signatureVersion,
      }),
    );
    await authorizer.require(
      requiredPermissions({
        action: "PutObject",
        bucket,
        key: entry.key,
        query,
        headers: request.headers,
      }),
      { versionId: null },
    );
    const body = bodyOf(entry.data);
    const response = await putReplica(
      { ...ctx, request, action: "PutObject", key: entry.key, query, authorizer, body: () => body },
      entry.data.length,
      batch,
    );
    await response.body?.cancel();
    return { status: response.status, code: null };
  } catch (error) {
    if (error instanceof S3Error) return { status: error.status, code: error.code };
    console.error("replica batch entry failed:", error);
    return { status: 500, code: "InternalError" };
  }
}

/**
 * The request the entry's PUT would have been: the batch's transport
 * headers (host, user agent, the client address the conditions read) with
 * the entry's own; nothing that describes an object or signs the batch is
 * inherited from the batch.
 */
function entryRequest(batch: Request, entry: ReplicaBatchEntry): Request {
  const headers = new Headers();
  batch.headers.forEach((value, name) => {
    if (!ENTRY_HEADER.test(name) && !INHERITED_NOT.test(name)) headers.set(name, value);
  });
  for (const [name, value] of Object.entries(entry.headers)) {
    const lower = name.toLowerCase();
    if (!ENTRY_HEADER.test(lower))
      throw new S3Error("InvalidArgument", `${name} is not a header a replica carries.`);
    try {
      headers.set(lower, value);
    } catch {
      throw new S3Error("InvalidArgument", `Invalid value for ${name}.`);
    }
  }
  headers.set(REPLICATION_REQUEST_HEADER, "true");
  return new Request(batch.url, { method: "PUT", headers });
}

/** The entry's bytes as the payload its PUT would have streamed. */
function bodyOf(data: Uint8Array): DecodedBody {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (data.length > 0) controller.enqueue(data);
      controller.close();
    },
  });
  return {
    stream,
    trailers: Promise.resolve({}),
    drain: () => stream.cancel().catch(() => undefined),
  };
}

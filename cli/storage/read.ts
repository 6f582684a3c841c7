/**
 * Opening an object or a local file as a byte stream, for cat and head.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Context } from "../core/context.ts";
import { CliError, usageError } from "../core/errors.ts";
import type { Location } from "../core/location.ts";

/** The contents of `location` as a stream. */
export async function openRead(
  ctx: Context,
  location: Location,
  versionId?: string,
): Promise<Readable> {
  if (location.kind === "local") {
    const stream = createReadStream(location.path);
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    return stream;
  }
  if (location.bucket === "" || location.key === "" || location.key.endsWith("/")) {
    throw usageError(`${location.raw} is not an object.`);
  }
  const out = await ctx
    .s3(location.alias)
    .send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: versionId }),
      { abortSignal: ctx.signal },
    );
  if (!(out.Body instanceof Readable)) {
    throw new CliError("InvalidResponse", "The object's body is not a stream.");
  }
  return out.Body;
}

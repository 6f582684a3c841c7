/**
 * Checks a would-be remote target before it is added: the remote answers,
 * the credentials work there, the bucket exists and has versioning Enabled
 * (a signed GetBucketVersioning with the target's credentials tells all
 * four). Failures are admin errors naming what is wrong.
 */
import { signRequest } from "../auth/sign.ts";
import { AdminError } from "../admin/http.ts";

const CHECK_TIMEOUT_MS = 5_000;

export async function checkRemote(target: {
  endpoint: string;
  targetBucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
}): Promise<void> {
  const url = `${target.endpoint}/${target.targetBucket}?versioning`;
  let response: Response;
  try {
    const headers = await signRequest({
      method: "GET",
      url,
      accessKeyId: target.accessKey,
      secretKey: target.secretKey,
      region: target.region,
    });
    response = await fetch(url, { headers, signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  } catch (error) {
    throw new AdminError(
      503,
      "RemoteTargetConnectionError",
      error instanceof Error && error.name === "TimeoutError"
        ? `The remote ${target.endpoint} did not answer within ${CHECK_TIMEOUT_MS / 1000} s.`
        : `The remote ${target.endpoint} could not be reached.`,
    );
  }
  const text = await response.text();
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (response.status === 404 || code === "NoSuchBucket")
    throw new AdminError(
      404,
      "RemoteBucketNotFound",
      `The remote bucket ${target.targetBucket} does not exist.`,
    );
  if (response.status === 403)
    throw new AdminError(
      403,
      "RemoteTargetAuthError",
      `The remote refused the credentials: ${code ?? "AccessDenied"}.`,
    );
  if (!response.ok)
    throw new AdminError(
      502,
      "RemoteTargetError",
      `The remote answered ${response.status} ${code ?? ""}`.trim(),
    );
  if (!/<Status>Enabled<\/Status>/.test(text))
    throw new AdminError(
      400,
      "RemoteVersioningNotEnabled",
      `Versioning must be Enabled on the remote bucket ${target.targetBucket}.`,
    );
}

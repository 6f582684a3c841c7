/**
 * Checks a would-be remote target before it is added: the remote answers,
 * the credentials work there, the bucket exists and has versioning Enabled
 * (a signed GetBucketVersioning with the target's credentials tells all
 * four). The endpoint is dialed through peer-fetch.ts (target rules checked
 * first, no redirects, answers read up to a cap). Failures are admin errors
 * naming what is wrong (refused by the target rules, timeout, DNS, TLS,
 * connection refused, the HTTP status, the credentials) without repeating
 * the remote's body or the runtime's message.
 */
import type { TargetAllowlist } from "../../../shared/net/target-url.ts";
import { signRequest } from "../../../shared/sigv4/sign.ts";
import { AdminError } from "../../admin/http.ts";
import {
  TargetRefusedError,
  describeDialError,
  peerErrorCode,
  peerFetch,
  peerText,
} from "./peer-fetch.ts";

const CHECK_TIMEOUT_MS = 5_000;

export async function checkRemote(
  target: {
    endpoint: string;
    targetBucket: string;
    accessKey: string;
    secretKey: string;
    region: string;
  },
  allowlist: TargetAllowlist,
): Promise<void> {
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
    response = await peerFetch(allowlist, url, {
      headers,
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof TargetRefusedError)
      throw new AdminError(400, "InvalidTargetEndpoint", `${target.endpoint}: ${error.message}`);
    throw new AdminError(
      503,
      "RemoteTargetConnectionError",
      `The remote ${target.endpoint} did not answer: ${describeDialError(error)}.`,
    );
  }
  const text = await peerText(response).catch(() => "");
  const code = peerErrorCode(text);
  if (response.status >= 300 && response.status < 400)
    throw new AdminError(
      502,
      "RemoteTargetError",
      `The remote answered with a redirect (HTTP ${response.status}); give its final endpoint.`,
    );
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
      `The remote answered HTTP ${response.status} ${code ?? ""}`.trim(),
    );
  if (!/<Status>Enabled<\/Status>/.test(text))
    throw new AdminError(
      400,
      "RemoteVersioningNotEnabled",
      `Versioning must be Enabled on the remote bucket ${target.targetBucket}.`,
    );
}

/**
 * Checks a would-be remote target before it is added: the remote answers,
 * the credentials work there, the bucket exists and has versioning Enabled
 * (a signed GetBucketVersioning with the target's credentials tells all
 * four). The endpoint is dialed by the peer client through peer-fetch.ts
 * (target rules checked first, no redirects, answers read up to a cap). A
 * failure is a RemoteCheckFailure naming what is wrong (refused by the
 * target rules, timeout, DNS, TLS, connection refused, the HTTP status, the
 * credentials) with the status and code the admin API answers it with,
 * never repeating the remote's body or the runtime's message.
 */
import type { TargetAllowlist } from "../../../shared/net/target-url.ts";
import { peerErrorCode, peerText } from "../../../shared/peer/answer.ts";
import type { PeerSite } from "../../../shared/peer/client.ts";
import { TargetRefusedError, describeDialError } from "../../../shared/peer/dial.ts";
import { peerClient } from "./peer-fetch.ts";

const CHECK_TIMEOUT_MS = 5_000;

/** Why a would-be target was refused: the admin API's status, code and message for it. */
export class RemoteCheckFailure extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 502 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RemoteCheckFailure";
  }
}

/** Resolves when the target is usable; rejects with a RemoteCheckFailure naming what is wrong. */
export async function checkRemote(
  target: PeerSite & { targetBucket: string },
  allowlist: TargetAllowlist,
): Promise<void> {
  const client = peerClient(target, allowlist);
  let response: Response;
  try {
    response = await client.send(
      "GET",
      client.objectUrl(target.targetBucket, null, "?versioning"),
      {
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      },
    );
  } catch (error) {
    if (error instanceof TargetRefusedError)
      throw new RemoteCheckFailure(
        400,
        "InvalidTargetEndpoint",
        `${target.endpoint}: ${error.message}`,
      );
    throw new RemoteCheckFailure(
      503,
      "RemoteTargetConnectionError",
      `The remote ${target.endpoint} did not answer: ${describeDialError(error)}.`,
    );
  }
  const text = await peerText(response).catch(() => "");
  const code = peerErrorCode(text);
  if (response.status >= 300 && response.status < 400)
    throw new RemoteCheckFailure(
      502,
      "RemoteTargetError",
      `The remote answered with a redirect (HTTP ${response.status}); give its final endpoint.`,
    );
  if (response.status === 404 || code === "NoSuchBucket")
    throw new RemoteCheckFailure(
      404,
      "RemoteBucketNotFound",
      `The remote bucket ${target.targetBucket} does not exist.`,
    );
  if (response.status === 403)
    throw new RemoteCheckFailure(
      403,
      "RemoteTargetAuthError",
      `The remote refused the credentials: ${code ?? "AccessDenied"}.`,
    );
  if (!response.ok)
    throw new RemoteCheckFailure(
      502,
      "RemoteTargetError",
      `The remote answered HTTP ${response.status} ${code ?? ""}`.trim(),
    );
  if (!/<Status>Enabled<\/Status>/.test(text))
    throw new RemoteCheckFailure(
      400,
      "RemoteVersioningNotEnabled",
      `Versioning must be Enabled on the remote bucket ${target.targetBucket}.`,
    );
}

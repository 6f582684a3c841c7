/**
 * The S3 request pipeline: classify (refusing URIs S3 cannot parse) →
 * SigV4 or, for older clients, SigV2 (root or an IAM key) → authorize (IAM,
 * service account and bucket policies) → dispatch. POST object,
 * unauthenticated by design and not implemented, is answered before
 * authentication. A replica write (x-floe-replication-request) is accepted
 * only header-signed: never anonymous, never through a presigned URL; its
 * answer names this site's deployment id (x-floe-deployment-id). (The
 * router wraps it with the request id and the error handler.)
 */
import { loadConfig } from "../../shared/config.ts";
import { DEPLOYMENT_ID_HEADER } from "../../shared/replication/headers.ts";
import { S3Error } from "../../shared/s3-errors.ts";
import { authenticateRequest } from "../auth/sigv4.ts";
import { decodeRequestBody, type DecodedBody } from "../auth/aws-chunked.ts";
import { createAuthorizer, type Authorizer } from "../iam/authorize.ts";
import { requestConditionValues } from "../iam/condition-values.ts";
import { identityLookup } from "../iam/identity.ts";
import {
  copySourcePermission,
  isReplicaRequest,
  requiredPermissions,
} from "../iam/s3-permissions.ts";
import { getDeploymentId } from "../objects/stubs.ts";
import { classifyS3Request, type S3Request } from "./classify.ts";
import type { S3Context } from "./context.ts";
import { parseCopySource } from "./copy.ts";
import { S3_HANDLERS } from "./dispatch.ts";
import { refusePostObject } from "./post-object.ts";

/** Serves one S3 request; throws S3Error for the router to render. */
export async function handleS3(
  request: Request,
  env: Env,
  exec: ExecutionContext,
  requestId: string,
): Promise<Response> {
  const config = loadConfig(env);
  // Classified first: a URI S3 cannot parse is InvalidURI, not a signature mismatch.
  const classified = classifyS3Request(request.method, request.url, request.headers, config.domain);
  // A form upload is unauthenticated by design, so it is refused before SigV4 would refuse it as 403.
  if (classified?.action === "PostObject") return refusePostObject(request);
  const who = identityLookup(env);
  const auth = await authenticateRequest(request, who.lookup, {
    region: config.region,
    signatureV2: { domain: config.domain },
  });
  if (!classified) throw new S3Error("MethodNotAllowed");
  // Replica writes come from another site's signer, never from a URL handed out or from anyone.
  if (isReplicaRequest(request.headers) && (auth.anonymous || auth.presigned))
    throw new S3Error("AccessDenied", "Replica writes need a header-signed request.");
  const identity = auth.anonymous ? null : who.identity();
  const authorizer = createAuthorizer({
    env,
    identity,
    conditions: requestConditionValues({
      request,
      action: classified.action,
      query: classified.query,
      identity,
      presigned: !auth.anonymous && auth.presigned,
      signatureVersion: auth.anonymous ? null : auth.signatureVersion,
    }),
  });
  await authorize(authorizer, classified, request.headers);
  let decoded: DecodedBody | null = null;
  const ctx: S3Context = {
    request,
    env,
    exec,
    config,
    requestId,
    ...classified,
    auth,
    identity,
    authorizer,
    body: () => (decoded ??= decodeRequestBody(request.body, auth, request.headers)),
  };
  const handler = S3_HANDLERS[classified.action];
  try {
    if (!handler) throw new S3Error("NotImplemented", `${classified.action} is not implemented.`);
    const response = await handler(ctx);
    return isReplicaRequest(request.headers) ? await withDeploymentId(env, response) : response;
  } catch (error) {
    await drainBody(request, decoded);
    throw error;
  }
}

/** Tells a replicating site which site answered (x-floe-deployment-id). */
async function withDeploymentId(env: Env, response: Response): Promise<Response> {
  const answer = new Response(response.body, response);
  answer.headers.set(DEPLOYMENT_ID_HEADER, await getDeploymentId(env));
  return answer;
}

/** Longest a failed request's remaining body is read before answering. */
const DRAIN_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * After a failure, reads what the client is still sending so it receives the
 * error response rather than a reset connection (S3 clients report the
 * latter as a network error and retry).
 */
async function drainBody(request: Request, decoded: DecodedBody | null): Promise<void> {
  const drain = decoded
    ? decoded.drain()
    : request.body && !request.bodyUsed
      ? request.body.pipeTo(new WritableStream()).catch(() => undefined)
      : Promise.resolve();
  await Promise.race([drain, new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS))]);
}

/**
 * Checks the permissions the request needs before any handler runs:
 * ListBuckets filters per bucket in its handler (anonymous callers are
 * refused here); copies also need to read their source.
 */
async function authorize(
  authorizer: Authorizer,
  classified: S3Request,
  headers: Headers,
): Promise<void> {
  if (classified.action === "ListBuckets") {
    if (!authorizer.identity) throw new S3Error("AccessDenied");
    return;
  }
  const versionId = classified.query.get("versionId");
  await authorizer.require(requiredPermissions({ ...classified, headers }), { versionId });
  const copySource = headers.get("x-amz-copy-source");
  if (
    copySource &&
    (classified.action === "CopyObject" || classified.action === "UploadPartCopy")
  ) {
    const source = parseCopySource(copySource);
    await authorizer.require([copySourcePermission(source)], { versionId: source.versionId });
  }
}

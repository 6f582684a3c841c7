/**
 * Rendering of S3 responses: errors as S3 XML (Code, Message, Resource,
 * RequestId, plus detail elements) with AWS's status, bodiless for HEAD and
 * 304; anything that is not an S3Error becomes 500 InternalError, logged
 * with the request id and never shown to the client.
 */
import { S3Error, isS3Error } from "../../shared/s3-errors.ts";
import { xmlDocument, type XmlNode } from "../../shared/xml.ts";

/** The S3 error for any thrown value (unknown ones are logged and become InternalError). */
export function toS3Error(error: unknown, requestId: string): S3Error {
  if (isS3Error(error)) return error;
  console.error(`[${requestId}] internal error:`, error);
  return new S3Error("InternalError");
}

/** An S3 XML error response. */
export function errorResponse(
  error: S3Error,
  method: string,
  resource: string,
  requestId: string,
): Response {
  const headers = new Headers(error.headers);
  headers.set("x-amz-request-id", requestId);
  if (method === "HEAD" || error.status === 304)
    return new Response(null, { status: error.status, headers });
  headers.set("content-type", "application/xml");
  // A refusal of a delete marker names the refused method, which only the request knows.
  const elements =
    error.code === "MethodNotAllowed" && "ResourceType" in error.detail && !error.detail.Method
      ? { Method: method, ...error.detail }
      : error.detail;
  const detail: XmlNode[] = Object.entries(elements).map(([name, value]) => [name, value] as const);
  const body = xmlDocument(
    "Error",
    [
      ["Code", error.code],
      ["Message", error.message],
      ...detail,
      ["Resource", resource],
      ["RequestId", requestId],
    ],
    false,
  );
  return new Response(body, { status: error.status, headers });
}

/** A 200 XML response. */
export function xmlResponse(
  body: string,
  init: { status?: number; headers?: HeadersInit } = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/xml");
  return new Response(body, { status: init.status ?? 200, headers });
}

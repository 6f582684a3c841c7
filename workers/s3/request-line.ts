/**
 * Checks on the request line that come before authentication, so a request
 * S3 cannot parse gets a 400 naming the problem rather than a misleading
 * SignatureDoesNotMatch (or an object stored under a half-decoded name):
 * - every path segment (bucket and key) must be valid percent-encoding of
 *   UTF-8: a `%` not followed by two hex digits, or escapes that decode to
 *   invalid UTF-8 (`%C3`, `%FF`), are 400 InvalidURI;
 * - no path segment may decode to `.` or `..`: HTTP clients, proxies and
 *   URL parsers collapse such segments, so the object a client names is not
 *   the one a request would reach (AWS refuses them with a 400 too);
 *   400 InvalidURI;
 * - query values Floe copies into response headers (versionId, uploadId,
 *   partNumber and the response-* overrides) must be header-safe: no
 *   control characters but tab (CR/LF/NUL would split or end the header;
 *   other text is sent as UTF-8); version and upload ids are printable
 *   ASCII. Otherwise 400 InvalidArgument naming the argument.
 */
import { z } from "zod";
import { S3Error } from "../../shared/s3-errors.ts";

/** A path segment percent-decoded strictly; InvalidURI when it is not valid UTF-8 escapes. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new S3Error("InvalidURI");
  }
}

/** Throws InvalidURI when a segment of the decoded `path` is `.` or `..`. */
export function checkDotSegments(path: string): void {
  for (const segment of path.split("/")) {
    if (segment === "." || segment === "..") throw new S3Error("InvalidURI");
  }
}

/** Printable ASCII: what version and upload ids are made of. */
const idValue = z.string().regex(/^[\x20-\x7e]*$/);
/**
 * A header value: ISO-8859-1 text without control characters but tab. A
 * response header is a ByteString, so anything beyond Latin-1 cannot be sent
 * (AWS refuses it the same way, as InvalidArgument).
 */
const headerValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/);

const HEADER_BOUND: Readonly<Record<string, z.ZodType<string>>> = {
  versionId: idValue,
  uploadId: idValue,
  partNumber: idValue,
  "response-content-type": headerValue,
  "response-content-language": headerValue,
  "response-expires": headerValue,
  "response-cache-control": headerValue,
  "response-content-disposition": headerValue,
  "response-content-encoding": headerValue,
};

/** Throws InvalidArgument for a header-bound query value that is not header-safe. */
export function checkQueryValues(query: URLSearchParams): void {
  for (const [name, value] of query) {
    const schema = HEADER_BOUND[name];
    if (schema && !schema.safeParse(value).success) {
      throw new S3Error(
        "InvalidArgument",
        name === "versionId"
          ? "Invalid version id specified"
          : /[^\x00-\xff]/.test(value)
            ? "Header value cannot be represented using ISO-8859-1."
            : `Invalid value for ${name}.`,
        { detail: { ArgumentName: name, ArgumentValue: value } },
      );
    }
  }
}

/**
 * What request authentication needs and what it yields, shared by the SigV4
 * header verifier (sigv4.ts), presigned URLs (presigned.ts), SigV2
 * (sigv2.ts) and the scope and signature checks (request-signature.ts):
 * - a credential lookup maps an access key id to its secret, or null when
 *   the key does not exist (InvalidAccessKeyId);
 * - a request is either Anonymous (no authentication at all) or
 *   Authenticated by exactly one mechanism and signature version;
 * - either way it carries the payload mode that tells the body decoder
 *   (aws-chunked.ts) how the body is checked while it is read.
 */

export interface Credential {
  accessKeyId: string;
  secretKey: string;
}

/** Finds the secret of an access key; null when the key does not exist. */
export type CredentialLookup = (accessKeyId: string) => Promise<Credential | null>;

/** How the request body is to be checked while it is read. */
export type PayloadMode =
  /** UNSIGNED-PAYLOAD (and presigned URLs): passed through. */
  | { kind: "unsigned" }
  /** The body must hash to this SHA-256 (verified while streaming). */
  | { kind: "sha256"; expectedHex: string }
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: every chunk signed, chained from the seed. */
  | {
      kind: "streaming-signed";
      trailer: boolean;
      seedSignature: string;
      signingKey: Uint8Array;
      scope: string;
      amzDate: string;
    }
  /** STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked framing, no signatures. */
  | { kind: "streaming-unsigned-trailer" };

/** s3:signatureversion: "AWS" for SigV2 (sigv2.ts), "AWS4-HMAC-SHA256" for SigV4. */
export type SignatureVersion = "AWS" | "AWS4-HMAC-SHA256";

export interface Authenticated {
  anonymous: false;
  signatureVersion: SignatureVersion;
  accessKeyId: string;
  payload: PayloadMode;
  presigned: boolean;
  /** x-amz-decoded-content-length of an aws-chunked body; null otherwise. */
  decodedContentLength: number | null;
}

export interface Anonymous {
  anonymous: true;
  payload: PayloadMode;
}

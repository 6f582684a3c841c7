/**
 * The aws-chunked body framing, decoded incrementally from slices of any
 * size (a header or CRLF may be split across slices; only the current line
 * is buffered, at most MAX_LINE bytes):
 *
 *   chunk   = hex-size [";chunk-signature=" 64hex] CRLF data CRLF
 *   body    = chunk* final
 *   final   = "0" [";chunk-signature=" 64hex] CRLF (CRLF | trailer)
 *   trailer = (name ":" value CRLF)* ["x-amz-trailer-signature:" 64hex CRLF] CRLF
 *
 * Signed bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) chain every
 * chunk's signature from the seed signature, including the final empty
 * chunk, and sign the trailer lines (sorted by name, each "name:value\n")
 * after it; a wrong signature is SignatureDoesNotMatch. Unsigned bodies
 * (STREAMING-UNSIGNED-PAYLOAD-TRAILER) ignore chunk extensions. At the end
 * of the body the terminating blank line, and the last trailer line's CRLF,
 * may be missing (the AWS SDK leaves out the blank line without a trailer).
 *
 * Errors are S3's: framing that is malformed or ends early, and decoded
 * data that does not add up to x-amz-decoded-content-length, are
 * IncompleteBody; trailer lines that are malformed, or do not match the
 * x-amz-trailer header, are MalformedTrailerError.
 */
import { createHash, type Hash } from "node:crypto";
import { S3Error } from "../../shared/s3-errors.ts";
import { chunkStringToSign, hmacHex, signaturesEqual, trailerStringToSign } from "./signature.ts";

/** Longest chunk header or trailer line. */
const MAX_LINE = 4096;
/** Most trailer lines (checksums; S3 sends one). */
const MAX_TRAILERS = 16;

const CR = 0x0d;
const LF = 0x0a;

/** What chained chunk signatures are checked with. */
export interface ChunkSigning {
  signingKey: Uint8Array;
  scope: string;
  amzDate: string;
  seedSignature: string;
}

export interface ChunkDecoderOptions {
  /** Null for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signing: ChunkSigning | null;
  /** Whether trailer lines may follow the final chunk. */
  trailer: boolean;
  /** x-amz-decoded-content-length, when given. */
  decodedLength: number | null;
  /** Lower-case names from x-amz-trailer (empty when absent). */
  declaredTrailers: readonly string[];
}

type State = "header" | "data" | "data-end" | "final-end" | "trailer" | "done";

function malformed(message = "The request body terminated unexpectedly"): S3Error {
  return new S3Error("IncompleteBody", message);
}

function malformedTrailer(): S3Error {
  return new S3Error("MalformedTrailerError");
}

/** An incremental aws-chunked decoder: feed it the raw body with `write`, then call `end`. */
export class ChunkDecoder {
  private state: State = "header";
  private readonly line = new Uint8Array(MAX_LINE);
  private lineLength = 0;
  private remaining = 0;
  private total = 0;
  private hash: Hash | null = null;
  private chunkSignature = "";
  private previousSignature: string;
  private readonly trailers: [string, string][] = [];
  private trailerSignature: string | null = null;

  constructor(private readonly options: ChunkDecoderOptions) {
    this.previousSignature = options.signing?.seedSignature ?? "";
  }

  /**
   * Decodes the next slice of the raw body, appending payload bytes (views
   * into `input`) to `out`. Throws S3Error on a framing, length or signature
   * error; pieces appended by a call that throws must be discarded.
   */
  write(input: Uint8Array, out: Uint8Array[]): void {
    let at = 0;
    while (at < input.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.length - at);
        const piece = input.subarray(at, at + take);
        this.hash?.update(piece);
        out.push(piece);
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endChunkData();
        continue;
      }
      if (this.state === "done") throw malformed();
      at = this.readLine(input, at);
    }
  }

  /**
   * The end of the raw body: returns the trailers (lower-case names), or
   * throws IncompleteBody when the body stopped short.
   */
  end(): Record<string, string> {
    const atTheEnd = this.state === "trailer" || this.state === "final-end";
    if (this.lineLength > 0) {
      if (!atTheEnd) throw malformed();
      // The last line may lack its CRLF.
      this.onLine(this.takeLine().replace(/\r$/, ""));
    }
    if (this.state === "trailer" || this.state === "final-end") this.finish();
    if (this.state !== "done") throw malformed();
    return Object.fromEntries(this.trailers);
  }

  /** Buffers bytes up to the next LF; on a complete line, handles it. Returns the new offset. */
  private readLine(input: Uint8Array, at: number): number {
    const lf = input.indexOf(LF, at);
    const end = lf < 0 ? input.length : lf;
    if (this.lineLength + (end - at) > MAX_LINE) {
      throw this.state === "trailer" ? malformedTrailer() : malformed("Chunk header too long.");
    }
    this.line.set(input.subarray(at, end), this.lineLength);
    this.lineLength += end - at;
    if (lf < 0) return input.length;
    if (this.lineLength === 0 || this.line[this.lineLength - 1] !== CR) {
      throw this.state === "trailer" ? malformedTrailer() : malformed();
    }
    this.lineLength -= 1;
    this.onLine(this.takeLine());
    return lf + 1;
  }

  private takeLine(): string {
    // One character per byte: framing is ASCII, and a stray byte then fails to parse.
    const text = String.fromCharCode(...this.line.subarray(0, this.lineLength));
    this.lineLength = 0;
    return text;
  }

  private onLine(line: string): void {
    switch (this.state) {
      case "header":
        return this.onChunkHeader(line);
      case "data-end":
        if (line !== "") throw malformed();
        this.state = "header";
        return;
      case "final-end":
        if (line !== "") throw malformed();
        return this.finish();
      case "trailer":
        return line === "" ? this.finish() : this.onTrailerLine(line);
      case "data":
      case "done":
        // Payload bytes and anything after the end are never split into lines.
        return;
    }
  }

  private onChunkHeader(line: string): void {
    const [sizeText, ...extensions] = line.split(";");
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeText)) throw malformed();
    const size = parseInt(sizeText, 16);
    if (this.options.signing) {
      const signature = /^chunk-signature=([0-9a-fA-F]{64})$/.exec(extensions[0] ?? "");
      if (!signature || extensions.length !== 1) throw malformed();
      this.chunkSignature = signature[1];
      this.hash = createHash("sha256");
    }
    const expected = this.options.decodedLength;
    if (expected !== null && this.total + size > expected) throw this.lengthMismatch(size);
    this.total += size;
    this.remaining = size;
    if (size > 0) {
      this.state = "data";
      return;
    }
    this.endChunkData();
  }

  private lengthMismatch(extra = 0): S3Error {
    return new S3Error(
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
      {
        detail: {
          NumberBytesExpected: String(this.options.decodedLength),
          NumberBytesProvided: String(this.total + extra),
        },
      },
    );
  }

  /** A chunk's data is complete: checks its signature, then expects its CRLF or, after the final chunk, the end. */
  private endChunkData(): void {
    const signing = this.options.signing;
    if (signing && this.hash) {
      const expected = hmacHex(
        signing.signingKey,
        chunkStringToSign(
          signing.amzDate,
          signing.scope,
          this.previousSignature,
          this.hash.digest("hex"),
        ),
      );
      if (!signaturesEqual(expected, this.chunkSignature)) {
        throw new S3Error("SignatureDoesNotMatch");
      }
      this.previousSignature = this.chunkSignature;
      this.hash = null;
    }
    if (this.state === "data") {
      this.state = "data-end";
      return;
    }
    const expected = this.options.decodedLength;
    if (expected !== null && this.total !== expected) throw this.lengthMismatch();
    this.state = this.options.trailer ? "trailer" : "final-end";
  }

  private onTrailerLine(line: string): void {
    if (this.trailerSignature !== null) throw malformedTrailer();
    const colon = line.indexOf(":");
    const name = line.slice(0, Math.max(colon, 0)).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (colon <= 0 || name === "" || value === "") throw malformedTrailer();
    if (name === "x-amz-trailer-signature") {
      if (!this.options.signing || !/^[0-9a-fA-F]{64}$/.test(value)) throw malformedTrailer();
      this.trailerSignature = value;
      return;
    }
    if (this.trailers.some(([seen]) => seen === name) || this.trailers.length >= MAX_TRAILERS) {
      throw malformedTrailer();
    }
    this.trailers.push([name, value]);
  }

  /** After the final chunk and any trailer: checks the trailer against x-amz-trailer and its signature. */
  private finish(): void {
    if (this.options.trailer) {
      const declared = new Set(this.options.declaredTrailers);
      const names = this.trailers.map(([name]) => name);
      if (names.length !== declared.size || names.some((name) => !declared.has(name))) {
        throw malformedTrailer();
      }
      const signing = this.options.signing;
      // Nothing declared and nothing sent leaves nothing to sign.
      const unsigned = this.trailers.length === 0 && this.trailerSignature === null;
      if (signing && !unsigned) {
        if (this.trailerSignature === null) throw malformedTrailer();
        const sorted = [...this.trailers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const expected = hmacHex(
          signing.signingKey,
          trailerStringToSign(signing.amzDate, signing.scope, this.previousSignature, sorted),
        );
        if (!signaturesEqual(expected, this.trailerSignature)) {
          throw new S3Error("SignatureDoesNotMatch");
        }
      }
    }
    this.state = "done";
  }
}

/**
 * One SigV4-signed request to a local site as its root user, for benches
 * that fill buckets with many small requests or call the admin API: the
 * response text, or an error naming the status. A pooled connection the
 * runtime closed is retried once.
 */
import { signRequest } from "../../shared/sigv4/sign.ts";

const CREDENTIALS = {
  accessKeyId: "floeadmin",
  secretKey: "floeadmin-secret",
  region: "us-east-1",
};

export async function signedCall(
  method: string,
  url: string,
  body?: Uint8Array | string,
): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const sendsBody = method === "PUT" || method === "POST";
  const headers = await signRequest({
    method,
    url,
    ...CREDENTIALS,
    headers: sendsBody ? { "content-length": String(bytes?.byteLength ?? 0) } : {},
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: sendsBody ? (bytes ?? new Uint8Array(0)) : undefined,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
      return text;
    } catch (error) {
      if (attempt > 0 || !String((error as { cause?: unknown }).cause).includes("ECONNRESET"))
        throw error;
    }
  }
}

/**
 * The health probe of a remote target: an unsigned HEAD of its endpoint.
 * Any HTTP answer means the site is up (the probe carries no credentials,
 * so a 403 is an answer too); no answer within PROBE_TIMEOUT_MS means
 * offline.
 */

const PROBE_TIMEOUT_MS = 3_000;

/** The probe's round trip in ms, or null when the target did not answer. */
export async function probeEndpoint(endpoint: string): Promise<number | null> {
  const started = Date.now();
  try {
    const response = await fetch(`${endpoint}/`, {
      method: "HEAD",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return Date.now() - started;
  } catch {
    return null;
  }
}

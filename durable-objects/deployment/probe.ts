/**
 * The health probe of a remote target: an unsigned HEAD of its endpoint.
 * Any HTTP answer means the site is up (the probe carries no credentials,
 * so a 403 is an answer too); no answer within PROBE_TIMEOUT_MS means
 * offline. A target the target rules refuse (shared/net/target-url.ts,
 * with the site's FLOE_TARGET_ALLOWLIST) is offline and never dialed, and
 * redirects are not followed, as for every other dial of a target.
 */
import { checkTargetUrl, type TargetAllowlist } from "../../shared/net/target-url.ts";

const PROBE_TIMEOUT_MS = 3_000;

/** The probe's round trip in ms, or null when the target did not answer. */
export async function probeEndpoint(
  endpoint: string,
  allowlist: TargetAllowlist,
): Promise<number | null> {
  const url = `${endpoint}/`;
  if (!checkTargetUrl(url, allowlist).ok) return null;
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: "HEAD",
      redirect: "manual",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return Date.now() - started;
  } catch {
    return null;
  }
}

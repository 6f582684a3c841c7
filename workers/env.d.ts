// Secrets (not in wrangler.toml, so `wrangler types` cannot see them).
declare namespace Cloudflare {
  interface Env {
    FLOE_ROOT_USER?: string;
    FLOE_ROOT_PASSWORD?: string;
    /** Seals IAM secrets and remote-target credentials at rest (at least 16 characters). */
    FLOE_MASTER_KEY?: string;
    /** Bearer token for GET /floe/metrics (Prometheus); SigV4 with admin:Prometheus works too. */
    FLOE_METRICS_TOKEN?: string;
    /** Set only by the local runner: proves a request came through its HTTP front (client-headers.ts). */
    FLOE_LOCAL_FRONT_SECRET?: string;
  }
}
// With `[env.<site>]` sections in wrangler.toml, `wrangler types` no longer derives the
// global Env from Cloudflare.Env: carry the secrets over.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges into the global Env
interface Env extends Cloudflare.Env {}

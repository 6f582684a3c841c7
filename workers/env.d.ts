// Secrets (not in wrangler.toml, so `wrangler types` cannot see them).
declare namespace Cloudflare {
  interface Env {
    FLOE_ROOT_USER?: string;
    FLOE_ROOT_PASSWORD?: string;
  }
}

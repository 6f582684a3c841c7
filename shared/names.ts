/**
 * S3 naming rules. Bucket names: 3–63 characters of lower-case letters,
 * digits, dots and hyphens, starting and ending with a letter or digit, no
 * "..", not an IPv4 address, not starting "xn--", "sthree-" or "amzn-s3-demo-",
 * not ending "-s3alias" or "--ol-s3". Floe reserves the names its own
 * routes claim at the top of the path (`floe`: `/floe/admin/`,
 * `/floe/metrics`), so no bucket is created that those routes would shadow.
 * Keys: 1–1024 bytes of UTF-8.
 */

/** True when `name` is a valid S3 bucket name. */
export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return false;
  if (/(-s3alias|--ol-s3)$/.test(name)) return false;
  return true;
}

/** Bucket names Floe's own top-level routes claim. */
export const RESERVED_BUCKET_NAMES: readonly string[] = ["floe"];

/** True when `name` is valid and not reserved: a name CreateBucket accepts. */
export function isCreatableBucketName(name: string): boolean {
  return isValidBucketName(name) && !RESERVED_BUCKET_NAMES.includes(name);
}

/** Longest key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** Length of `key` in UTF-8 bytes. */
export function keyBytes(key: string): number {
  return new TextEncoder().encode(key).byteLength;
}

/**
 * Condition keys are case-insensitive up to the first `/`: `aws:SourceIp`
 * and `AWS:sourceip` are one key, while `s3:ExistingObjectTag/Project`
 * keeps its tag name's case. Values are always lists of strings.
 */

/** The request's condition values, under canonical keys (see conditionKey). */
export type ConditionValues = ReadonlyMap<string, readonly string[]>;

/** The canonical form of a condition key: lower case up to the first `/`. */
export function conditionKey(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key.toLowerCase() : key.slice(0, slash).toLowerCase() + key.slice(slash);
}

/**
 * The condition keys a policy may use: AWS's global keys and S3's, by
 * canonical name. Keys Floe does not fill in (aws:SourceVpce, ...) are
 * still known: a request simply lacks them, as on AWS outside a VPC.
 */
const KNOWN_KEYS: ReadonlySet<string> = new Set(
  [
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "s3:authType",
    "s3:delimiter",
    "s3:LocationConstraint",
    "s3:max-keys",
    "s3:object-lock-legal-hold",
    "s3:object-lock-mode",
    "s3:object-lock-remaining-retention-days",
    "s3:object-lock-retain-until-date",
    "s3:prefix",
    "s3:RequestObjectTagKeys",
    "s3:signatureAge",
    "s3:signatureversion",
    "s3:TlsVersion",
    "s3:VersionId",
    "s3:x-amz-acl",
    "s3:x-amz-content-sha256",
    "s3:x-amz-copy-source",
    "s3:x-amz-grant-full-control",
    "s3:x-amz-grant-read",
    "s3:x-amz-grant-read-acp",
    "s3:x-amz-grant-write",
    "s3:x-amz-grant-write-acp",
    "s3:x-amz-metadata-directive",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class",
  ].map(conditionKey),
);

/** Keys that carry a name after the `/` (`s3:ExistingObjectTag/Project`). */
const KNOWN_KEY_FAMILIES = [
  "aws:PrincipalTag/",
  "aws:RequestTag/",
  "aws:ResourceTag/",
  "s3:ExistingObjectTag/",
  "s3:RequestObjectTag/",
].map((family) => family.toLowerCase());

/** True when `key` is a global `aws:` key or an S3 key (any case up to the `/`). */
export function isKnownConditionKey(key: string): boolean {
  const canonical = conditionKey(key);
  if (KNOWN_KEYS.has(canonical)) return true;
  return KNOWN_KEY_FAMILIES.some(
    (family) => canonical.startsWith(family) && canonical.length > family.length,
  );
}

/**
 * What the security fuzz run is made of: a seeded PRNG (mulberry32), the
 * vocabularies requests are drawn from (key pieces, query values and
 * parameters, subresources, XML fragments, bucket policies), and random XML
 * bodies (well-formed, truncated, entity-laden, deeply nested, with many
 * attributes), each at most a few KB.
 */

/** A seeded PRNG (mulberry32) with the helpers the generator needs. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export const KEY_PIECES = [
  "a",
  "obj",
  "dir/",
  "/",
  "//",
  ".",
  "..",
  "%2E%2E",
  "%2F",
  "%",
  "%zz",
  "%C3",
  "%E2%82",
  "%FF",
  "%00",
  "%01",
  "%0D%0A",
  "%09",
  "%7F",
  "%EF%BF%BF",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%E6%97%A5%E6%9C%AC",
  "%C3%A9",
  "+",
  "%2B",
  "%20",
  "~",
  "!'()*",
  "%3C%26%3E%22%27",
  "&",
  "=",
  ";",
  "@",
  ":",
  ",",
  "$",
  "%25",
  "%23",
  "%3F",
  "floe",
  "admin",
];

export const QUERY_VALUES = [
  "",
  "1",
  "0",
  "-1",
  "2",
  "10000",
  "10001",
  "999999999999999999999",
  "1e3",
  "0x10",
  "%201",
  "abc",
  "null",
  "%00",
  "%0D%0A",
  "%01",
  "%7F",
  "%",
  "%zz",
  "%C3",
  "%E2%82%AC",
  "+",
  "%2B",
  "url",
  "URL",
  "xml",
  "a%20b",
  "x".repeat(300),
  "%3Cx%3E",
  "%26amp%3B",
];

export const PARAMS = [
  "versionId",
  "uploadId",
  "partNumber",
  "prefix",
  "delimiter",
  "marker",
  "max-keys",
  "list-type",
  "continuation-token",
  "start-after",
  "fetch-owner",
  "encoding-type",
  "key-marker",
  "version-id-marker",
  "upload-id-marker",
  "max-uploads",
  "max-parts",
  "part-number-marker",
  "response-content-type",
  "response-content-disposition",
  "response-content-language",
  "response-expires",
  "response-cache-control",
  "response-content-encoding",
  "x-id",
];

export const SUBRESOURCES = [
  "versioning",
  "tagging",
  "policy",
  "replication",
  "lifecycle",
  "object-lock",
  "retention",
  "legal-hold",
  "uploads",
  "delete",
  "location",
  "versions",
  "acl",
  "cors",
  "attributes",
  "policyStatus",
  "encryption",
  "restore",
  "select",
  "torrent",
  "website",
];

const XML_ROOTS = [
  "VersioningConfiguration",
  "Tagging",
  "Delete",
  "CompleteMultipartUpload",
  "LifecycleConfiguration",
  "ObjectLockConfiguration",
  "Retention",
  "LegalHold",
  "ReplicationConfiguration",
  "CreateBucketConfiguration",
];

const XML_CHILDREN = [
  "<Status>Enabled</Status>",
  "<Status>Suspended</Status>",
  "<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>",
  "<Object><Key>obj</Key></Object>",
  "<Object><Key>&#x1;</Key><VersionId>zz</VersionId></Object>",
  "<Quiet>true</Quiet>",
  '<Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>',
  "<Part><PartNumber>-5</PartNumber></Part>",
  "<Rule><ID>r</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter><Expiration><Days>1</Days></Expiration></Rule>",
  "<Rule><Expiration><Days>abc</Days></Expiration></Rule>",
  "<ObjectLockEnabled>Enabled</ObjectLockEnabled>",
  "<Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate>",
  "<Mode>X</Mode><RetainUntilDate>notadate</RetainUntilDate>",
  "<LocationConstraint>us-east-1</LocationConstraint>",
  "<LocationConstraint>&lt;x&gt;</LocationConstraint>",
  "<Role>r</Role><Rule><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::x</Bucket></Destination></Rule>",
  "&amp;&lt;&#x0;&#xFFFF;&bogus;",
  "<![CDATA[<x>]]>",
  "<!-- c -->",
  "<?pi x?>",
];

/** A random XML body. */
export function xmlBody(rng: Random): string {
  const root = rng.pick(XML_ROOTS);
  const shape = rng.int(10);
  if (shape === 0) {
    const depth = 50 + rng.int(400);
    return "<a>".repeat(depth) + "x" + "</a>".repeat(rng.chance(0.5) ? depth : depth - 1);
  }
  if (shape === 1) {
    const attrs = Array.from({ length: 50 + rng.int(300) }, (_, i) => `a${i}="${i}"`).join(" ");
    return `<${root} ${attrs}>${rng.pick(XML_CHILDREN)}</${root}>`;
  }
  if (shape === 2) {
    return `<?xml version="1.0"?><!DOCTYPE ${root} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><${root}>&c;</${root}>`;
  }
  if (shape === 3) {
    return `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><${root}>&e;</${root}>`;
  }
  let inner = "";
  for (let i = rng.int(4); i >= 0; i--) inner += rng.pick(XML_CHILDREN);
  const ns = rng.chance(0.5) ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : "";
  const doc = `<?xml version="1.0" encoding="UTF-8"?><${root}${ns}>${inner}</${root}>`;
  if (shape === 4) return doc.slice(0, rng.int(doc.length));
  if (shape === 5) return doc.replace(/<\/[A-Za-z]+>$/, "");
  return doc;
}

/** Bucket policy bodies, mostly invalid. */
export const POLICIES = [
  "",
  "{",
  "[]",
  "null",
  '{"Version":"2012-10-17"}',
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzz/public/*"}]}',
  '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":5,"Action":[],"Resource":{}}]}',
  '{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:*","Resource":"arn:aws:s3:::fuzz/public/*","Condition":{"StringLike":{"s3:prefix":[null]}}}]}',
  "\u0000{}",
  '{"Version":"2012-10-17","Statement":' + "[".repeat(200) + "]".repeat(200) + "}",
];

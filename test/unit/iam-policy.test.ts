/**
 * Policy evaluation over a table of documents and requests: actions and
 * resources with wildcards, NotAction / NotResource, explicit Deny, every
 * condition operator family, policy variables, bucket-policy principals,
 * and the built-in policies including the two replication policies.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_POLICIES } from "../../shared/iam/builtin-policies.ts";
import { conditionKey } from "../../shared/iam/conditions.ts";
import { evaluate, type Decision } from "../../shared/iam/evaluate.ts";
import { ipInCidr } from "../../shared/iam/ip.ts";
import {
  parsePolicy,
  parseStoredPolicy,
  PolicyError,
  type PolicyDocument,
} from "../../shared/iam/policy-document.ts";
import { wildcardMatch } from "../../shared/iam/wildcard.ts";

const doc = (...statements: object[]): PolicyDocument =>
  parsePolicy({ Version: "2012-10-17", Statement: statements });

function request(
  action: string,
  resource: string,
  conditions: Record<string, string | string[]> = {},
) {
  const values = new Map<string, string[]>();
  for (const [key, value] of Object.entries(conditions))
    values.set(conditionKey(key), Array.isArray(value) ? value : [value]);
  return { action, resource, conditions: values };
}

const obj = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const bkt = (bucket: string) => `arn:aws:s3:::${bucket}`;

describe("wildcards and addresses", () => {
  it.each([
    ["*", "", true],
    ["a*c", "abbbc", true],
    ["a*c", "abbbd", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y/z", true],
    ["arn:aws:s3:::b/*", "arn:aws:s3:::bb/x", false],
    ["*a*b*", "xxaxxbxx", true],
    ["*a*b*", "xxbxxaxx", false],
  ])("%s ~ %s → %s", (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it.each([
    ["10.1.2.3", "10.0.0.0/8", true],
    ["11.1.2.3", "10.0.0.0/8", false],
    ["192.168.1.7", "192.168.1.7", true],
    ["192.168.1.8", "192.168.1.7/32", false],
    ["2001:db8::1", "2001:db8::/32", true],
    ["2001:db9::1", "2001:db8::/32", false],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.0/120", true],
    ["10.0.0.1", "2001:db8::/32", false],
    ["not-an-ip", "10.0.0.0/8", false],
  ])("%s in %s → %s", (address, cidr, expected) => {
    expect(ipInCidr(address, cidr)).toBe(expected);
  });
});

describe("policy documents", () => {
  it.each([
    ["not JSON", "{"],
    ["no Version", { Statement: [{ Effect: "Allow", Action: "s3:*" }] }],
    ["bad Version", { Version: "2020-01-01", Statement: [{ Effect: "Allow", Action: "s3:*" }] }],
    ["bad Effect", { Version: "2012-10-17", Statement: [{ Effect: "Maybe", Action: "s3:*" }] }],
    ["no Action", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }],
    [
      "Action and NotAction",
      {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:*", NotAction: "s3:Get*" }],
      },
    ],
    [
      "unknown field",
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Foo: 1 }] },
    ],
    ["empty statements", { Version: "2012-10-17", Statement: [] }],
  ])("refuses %s", (_, input) => {
    expect(() => parsePolicy(typeof input === "string" ? input : JSON.stringify(input))).toThrow(
      PolicyError,
    );
  });

  it("accepts single strings or lists, a single statement, and scalar condition values", () => {
    const parsed = parsePolicy({
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::b/*",
        Condition: {
          NumericLessThan: { "s3:max-keys": 10 },
          Bool: { "aws:SecureTransport": true },
        },
      },
    });
    expect(parsed.Statement[0].Action).toEqual(["s3:GetObject"]);
    expect(parsed.Statement[0].Condition).toEqual({
      NumericLessThan: { "s3:max-keys": ["10"] },
      Bool: { "aws:SecureTransport": ["true"] },
    });
  });
});

type Case = [
  name: string,
  docs: PolicyDocument[],
  req: ReturnType<typeof request>,
  expected: Decision,
];

const readBucketB = doc({
  Effect: "Allow",
  Action: ["s3:GetObject", "s3:ListBucket"],
  Resource: [bkt("b"), obj("b", "*")],
});

const cases: Case[] = [
  [
    "allow on matching action and resource",
    [readBucketB],
    request("s3:GetObject", obj("b", "k")),
    "allow",
  ],
  ["nothing for another bucket", [readBucketB], request("s3:GetObject", obj("c", "k")), "none"],
  ["nothing for another action", [readBucketB], request("s3:PutObject", obj("b", "k")), "none"],
  [
    "action names compare case-insensitively",
    [readBucketB],
    request("S3:getobject", obj("b", "k")),
    "allow",
  ],
  [
    "s3:Get* covers GetObjectVersion",
    [doc({ Effect: "Allow", Action: "s3:Get*", Resource: "*" })],
    request("s3:GetObjectVersion", obj("b", "k")),
    "allow",
  ],
  [
    "explicit deny wins over allow",
    [readBucketB, doc({ Effect: "Deny", Action: "s3:GetObject", Resource: obj("b", "secret/*") })],
    request("s3:GetObject", obj("b", "secret/x")),
    "deny",
  ],
  [
    "NotAction allows everything else",
    [doc({ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" })],
    request("s3:DeleteObject", obj("b", "k")),
    "none",
  ],
  [
    "NotAction allows everything else (other action)",
    [doc({ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" })],
    request("s3:PutObject", obj("b", "k")),
    "allow",
  ],
  [
    "NotResource excludes a prefix",
    [doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: obj("b", "private/*") })],
    request("s3:GetObject", obj("b", "private/x")),
    "none",
  ],
  [
    "a statement without Resource covers every resource (admin)",
    [doc({ Effect: "Allow", Action: "admin:ServerInfo" })],
    request("admin:ServerInfo", "arn:aws:s3:::*"),
    "allow",
  ],
  [
    "StringLike s3:prefix",
    [
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("b"),
        Condition: { StringLike: { "s3:prefix": ["home/alice/*", "home/alice/"] } },
      }),
    ],
    request("s3:ListBucket", bkt("b"), { "s3:prefix": "home/alice/docs/" }),
    "allow",
  ],
  [
    "StringLike s3:prefix refuses another prefix",
    [
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("b"),
        Condition: { StringLike: { "s3:prefix": "home/alice/*" } },
      }),
    ],
    request("s3:ListBucket", bkt("b"), { "s3:prefix": "home/bob/" }),
    "none",
  ],
  [
    "a missing key fails a positive operator",
    [
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("b"),
        Condition: { StringLike: { "s3:prefix": "home/*" } },
      }),
    ],
    request("s3:ListBucket", bkt("b")),
    "none",
  ],
  [
    "a missing key passes a negated operator",
    [
      doc({
        Effect: "Deny",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
      }),
    ],
    request("s3:PutObject", obj("b", "k")),
    "deny",
  ],
  [
    "StringNotEquals with the required value does not deny",
    [
      doc({
        Effect: "Deny",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
      }),
    ],
    request("s3:PutObject", obj("b", "k"), { "s3:x-amz-server-side-encryption": "AES256" }),
    "none",
  ],
  [
    "StringEqualsIfExists holds when the key is absent",
    [
      doc({
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { StringEqualsIfExists: { "s3:x-amz-storage-class": "STANDARD" } },
      }),
    ],
    request("s3:PutObject", obj("b", "k")),
    "allow",
  ],
  [
    "Null true matches an absent key",
    [
      doc({
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
        Condition: { Null: { "aws:username": "true" } },
      }),
    ],
    request("s3:GetObject", obj("b", "k")),
    "deny",
  ],
  [
    "IpAddress aws:SourceIp",
    [
      doc({
        Effect: "Allow",
        Action: "s3:*",
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "aws:SourceIp": "192.168.3.4" }),
    "allow",
  ],
  [
    "NotIpAddress denies outside the block",
    [
      doc({
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
        Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "aws:SourceIp": "127.0.0.1" }),
    "deny",
  ],
  [
    "Bool aws:SecureTransport",
    [
      doc({
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "aws:SecureTransport": "false" }),
    "deny",
  ],
  [
    "NumericLessThanEquals s3:max-keys",
    [
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("b"),
        Condition: { NumericLessThanEquals: { "s3:max-keys": "10" } },
      }),
    ],
    request("s3:ListBucket", bkt("b"), { "s3:max-keys": "50" }),
    "none",
  ],
  [
    "DateLessThan aws:CurrentTime",
    [
      doc({
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "aws:CurrentTime": "2026-12-01T00:00:00Z" }),
    "allow",
  ],
  [
    "ExistingObjectTag keeps its tag name's case",
    [
      doc({
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
        Condition: { StringEquals: { "S3:ExistingObjectTag/Project": "x" } },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "s3:ExistingObjectTag/Project": "x" }),
    "allow",
  ],
  [
    "ForAnyValue over request tag keys",
    [
      doc({
        Effect: "Deny",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["secret"] } },
      }),
    ],
    request("s3:PutObject", obj("b", "k"), { "s3:RequestObjectTagKeys": ["a", "secret"] }),
    "deny",
  ],
  [
    "ForAllValues over request tag keys",
    [
      doc({
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "*",
        Condition: { "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["a", "b"] } },
      }),
    ],
    request("s3:PutObject", obj("b", "k"), { "s3:RequestObjectTagKeys": ["a", "c"] }),
    "none",
  ],
  [
    "${aws:username} in a resource",
    [doc({ Effect: "Allow", Action: "s3:*", Resource: obj("home", "${aws:username}/*") })],
    request("s3:PutObject", obj("home", "alice/notes.txt"), { "aws:username": "alice" }),
    "allow",
  ],
  [
    "${aws:username} does not reach another user's folder",
    [doc({ Effect: "Allow", Action: "s3:*", Resource: obj("home", "${aws:username}/*") })],
    request("s3:PutObject", obj("home", "bob/notes.txt"), { "aws:username": "alice" }),
    "none",
  ],
  [
    "${aws:username} in a condition value",
    [
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("home"),
        Condition: { StringLike: { "s3:prefix": "${aws:username}/*" } },
      }),
    ],
    request("s3:ListBucket", bkt("home"), { "s3:prefix": "alice/docs/", "aws:username": "alice" }),
    "allow",
  ],
  [
    "a stored Allow with an unknown operator never holds",
    [
      parseStoredPolicy({
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Action: "s3:*",
          Resource: "*",
          Condition: { Sometimes: { "aws:username": "x" } },
        },
      }),
    ],
    request("s3:GetObject", obj("b", "k"), { "aws:username": "x" }),
    "none",
  ],
];

describe("identity policy evaluation", () => {
  it.each(cases)("%s", (_, docs, req, expected) => {
    expect(evaluate(docs, req)).toBe(expected);
  });
});

describe("bucket policy principals", () => {
  const publicRead = doc({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: obj("b", "public/*"),
  });
  const forAlice = doc({
    Effect: "Allow",
    Principal: { AWS: ["arn:aws:iam::123456789012:user/alice"] },
    Action: "s3:PutObject",
    Resource: obj("b", "*"),
  });
  const notBob = doc({
    Effect: "Deny",
    NotPrincipal: { AWS: "bob" },
    Action: "s3:DeleteObject",
    Resource: obj("b", "*"),
  });

  it("lets anyone, anonymous included, match *", () => {
    expect(
      evaluate([publicRead], request("s3:GetObject", obj("b", "public/x")), { user: null }),
    ).toBe("allow");
    expect(
      evaluate([publicRead], request("s3:GetObject", obj("b", "private/x")), { user: null }),
    ).toBe("none");
  });
  it("matches named users by ARN, not others or anonymous", () => {
    const put = request("s3:PutObject", obj("b", "k"));
    expect(evaluate([forAlice], put, { user: "alice" })).toBe("allow");
    expect(evaluate([forAlice], put, { user: "bob" })).toBe("none");
    expect(evaluate([forAlice], put, { user: null })).toBe("none");
  });
  it("applies NotPrincipal to everyone but the named user", () => {
    const del = request("s3:DeleteObject", obj("b", "k"));
    expect(evaluate([notBob], del, { user: "alice" })).toBe("deny");
    expect(evaluate([notBob], del, { user: "bob" })).toBe("none");
  });
  it("ignores statements without a principal", () => {
    expect(evaluate([readBucketB], request("s3:GetObject", obj("b", "k")), { user: "alice" })).toBe(
      "none",
    );
  });
});

describe("built-in policies", () => {
  const decide = (policy: string, action: string, resource: string) =>
    evaluate([BUILTIN_POLICIES[policy]], request(action, resource));

  it.each([
    ["readwrite", "s3:PutObject", obj("b", "k"), "allow"],
    ["readwrite", "s3:ListAllMyBuckets", "arn:aws:s3:::*", "allow"],
    ["readwrite", "admin:CreateUser", "arn:aws:s3:::*", "none"],
    ["readonly", "s3:GetObject", obj("b", "k"), "allow"],
    ["readonly", "s3:PutObject", obj("b", "k"), "none"],
    ["writeonly", "s3:PutObject", obj("b", "k"), "allow"],
    ["writeonly", "s3:GetObject", obj("b", "k"), "none"],
    ["diagnostics", "admin:ServerInfo", "arn:aws:s3:::*", "allow"],
    ["diagnostics", "admin:CreateUser", "arn:aws:s3:::*", "none"],
    ["consoleAdmin", "admin:CreateUser", "arn:aws:s3:::*", "allow"],
    ["consoleAdmin", "s3:DeleteBucket", bkt("b"), "allow"],
    ["ReplicationAdmin", "admin:SetBucketTarget", bkt("b"), "allow"],
    ["ReplicationAdmin", "s3:PutReplicationConfiguration", bkt("b"), "allow"],
    ["ReplicationAdmin", "s3:PutObject", obj("b", "k"), "none"],
    ["ReplicationAdmin", "admin:CreateUser", "arn:aws:s3:::*", "none"],
    ["ReplicationRemoteUser", "s3:ReplicateObject", obj("b", "k"), "allow"],
    ["ReplicationRemoteUser", "s3:ReplicateDelete", obj("b", "k"), "allow"],
    ["ReplicationRemoteUser", "s3:ReplicateTags", obj("b", "k"), "allow"],
    ["ReplicationRemoteUser", "s3:GetBucketVersioning", bkt("b"), "allow"],
    ["ReplicationRemoteUser", "s3:ListAllMyBuckets", "arn:aws:s3:::*", "none"],
    ["ReplicationRemoteUser", "s3:DeleteBucket", bkt("b"), "none"],
    ["ReplicationRemoteUser", "s3:PutReplicationConfiguration", bkt("b"), "none"],
  ])("%s: %s on %s → %s", (policy, action, resource, expected) => {
    expect(decide(policy, action, resource)).toBe(expected);
  });
});

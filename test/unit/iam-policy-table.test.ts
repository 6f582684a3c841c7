/**
 * The policy evaluator, one row per case, each asserting the decision
 * (allow / deny / none): every condition operator family with its
 * negations, `...IfExists` and `ForAnyValue:` / `ForAllValues:`; actions
 * and resources with `*` and `?`, NotAction / NotResource, and their case
 * rules; policy variables; Deny precedence; stored documents that fail
 * closed; and bucket policies confined to S3 actions on their own bucket.
 */
import { describe, expect, it } from "vitest";
import { conditionKey } from "../../shared/iam/conditions.ts";
import { evaluate, type Decision, type Principal } from "../../shared/iam/evaluate.ts";
import {
  parsePolicy,
  parseStoredPolicy,
  type PolicyDocument,
} from "../../shared/iam/policy-document.ts";

type Values = Record<string, string | string[]>;

const doc = (...statements: object[]): PolicyDocument =>
  parsePolicy({ Version: "2012-10-17", Statement: statements });
const stored = (...statements: object[]): PolicyDocument =>
  parseStoredPolicy({ Version: "2012-10-17", Statement: statements });

function request(action: string, resource: string, values: Values = {}) {
  const conditions = new Map<string, string[]>();
  for (const [key, value] of Object.entries(values))
    conditions.set(conditionKey(key), Array.isArray(value) ? value : [value]);
  return { action, resource, conditions };
}

const obj = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const bkt = (bucket: string) => `arn:aws:s3:::${bucket}`;
const allowAll = { Effect: "Allow", Action: "s3:*", Resource: "*" };
const readwrite = doc(allowAll);

describe("condition operators", () => {
  /** [operator, key, policy values, request values (undefined: absent), decision] */
  type Row = [string, string, string | string[], string | string[] | undefined, Decision];
  const rows: Row[] = [
    ["StringEquals", "s3:prefix", "a/", "a/", "allow"],
    ["StringEquals", "s3:prefix", "a/", "A/", "none"],
    ["StringEquals", "s3:prefix", "a/", undefined, "none"],
    ["StringEquals", "s3:prefix", ["x/", "a/"], "a/", "allow"],
    ["StringNotEquals", "s3:prefix", "a/", "b/", "allow"],
    ["StringNotEquals", "s3:prefix", "a/", "a/", "none"],
    ["StringNotEquals", "s3:prefix", "a/", undefined, "allow"],
    ["StringEqualsIgnoreCase", "s3:prefix", "a/", "A/", "allow"],
    ["StringEqualsIgnoreCase", "s3:prefix", "a/", "b/", "none"],
    ["StringNotEqualsIgnoreCase", "s3:prefix", "a/", "A/", "none"],
    ["StringNotEqualsIgnoreCase", "s3:prefix", "a/", "b/", "allow"],
    ["StringLike", "s3:prefix", "home/*", "home/x/y", "allow"],
    ["StringLike", "s3:prefix", "ho?e", "home", "allow"],
    ["StringLike", "s3:prefix", "ho?e", "hoome", "none"],
    ["StringLike", "s3:prefix", "home/*", "other/", "none"],
    ["StringLike", "s3:prefix", "home/*", undefined, "none"],
    ["StringNotLike", "s3:prefix", "home/*", "home/x", "none"],
    ["StringNotLike", "s3:prefix", "home/*", "other/", "allow"],
    ["StringNotLike", "s3:prefix", "home/*", undefined, "allow"],
    ["StringEqualsIfExists", "s3:prefix", "a/", undefined, "allow"],
    ["StringEqualsIfExists", "s3:prefix", "a/", "b/", "none"],
    ["StringEqualsIfExists", "s3:prefix", "a/", "a/", "allow"],
    ["StringNotEqualsIfExists", "s3:prefix", "a/", undefined, "allow"],
    ["StringLikeIfExists", "s3:prefix", "a*", "b", "none"],
    ["NumericEquals", "s3:max-keys", "10", "10", "allow"],
    ["NumericEquals", "s3:max-keys", "10", "10.0", "allow"],
    ["NumericEquals", "s3:max-keys", "10", "11", "none"],
    ["NumericNotEquals", "s3:max-keys", "10", "11", "allow"],
    ["NumericNotEquals", "s3:max-keys", "10", "10", "none"],
    ["NumericNotEquals", "s3:max-keys", "10", undefined, "allow"],
    ["NumericLessThan", "s3:max-keys", "10", "9", "allow"],
    ["NumericLessThan", "s3:max-keys", "10", "10", "none"],
    ["NumericLessThanEquals", "s3:max-keys", "10", "10", "allow"],
    ["NumericLessThanEquals", "s3:max-keys", "10", "11", "none"],
    ["NumericGreaterThan", "s3:max-keys", "10", "11", "allow"],
    ["NumericGreaterThan", "s3:max-keys", "10", "10", "none"],
    ["NumericGreaterThanEquals", "s3:max-keys", "10", "10", "allow"],
    ["NumericGreaterThanEquals", "s3:max-keys", "10", "9", "none"],
    ["NumericLessThan", "s3:max-keys", "10", "abc", "none"],
    ["NumericLessThan", "s3:max-keys", "10", "", "none"],
    ["NumericLessThan", "s3:max-keys", "10", undefined, "none"],
    ["NumericLessThanIfExists", "s3:max-keys", "10", undefined, "allow"],
    ["DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "allow"],
    ["DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", "none"],
    ["DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "allow"],
    ["DateGreaterThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "none"],
    ["DateEquals", "aws:CurrentTime", "1767225600", "2026-01-01T00:00:00Z", "allow"],
    ["DateNotEquals", "aws:CurrentTime", "2030-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "allow"],
    ["DateNotEquals", "aws:CurrentTime", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "none"],
    [
      "DateLessThanEquals",
      "aws:CurrentTime",
      "2026-01-01T00:00:00Z",
      "2026-01-01T00:00:00Z",
      "allow",
    ],
    [
      "DateGreaterThanEquals",
      "aws:CurrentTime",
      "2026-01-01T00:00:00Z",
      "2026-01-01T00:00:00Z",
      "allow",
    ],
    ["DateLessThan", "aws:EpochTime", "2030-01-01T00:00:00Z", "1767225600", "allow"],
    ["DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z", "yesterday", "none"],
    ["Bool", "aws:SecureTransport", "true", "true", "allow"],
    ["Bool", "aws:SecureTransport", "True", "true", "allow"],
    ["Bool", "aws:SecureTransport", "false", "true", "none"],
    ["Bool", "aws:SecureTransport", "true", undefined, "none"],
    ["BoolIfExists", "aws:SecureTransport", "true", undefined, "allow"],
    ["IpAddress", "aws:SourceIp", "10.0.0.0/8", "10.1.2.3", "allow"],
    ["IpAddress", "aws:SourceIp", "10.0.0.0/8", "11.1.2.3", "none"],
    ["IpAddress", "aws:SourceIp", "192.0.2.7", "192.0.2.7", "allow"],
    ["IpAddress", "aws:SourceIp", "2001:db8::/32", "2001:db8::1", "allow"],
    ["IpAddress", "aws:SourceIp", "2001:db8::/32", "192.0.2.1", "none"],
    ["IpAddress", "aws:SourceIp", ["192.0.2.0/24", "10.0.0.0/8"], "10.9.9.9", "allow"],
    ["NotIpAddress", "aws:SourceIp", "10.0.0.0/8", "192.0.2.1", "allow"],
    ["NotIpAddress", "aws:SourceIp", "10.0.0.0/8", "10.0.0.1", "none"],
    ["NotIpAddress", "aws:SourceIp", "10.0.0.0/8", undefined, "allow"],
    ["ArnEquals", "aws:PrincipalArn", "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/a", "allow"],
    ["ArnEquals", "aws:PrincipalArn", "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b", "none"],
    ["ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*", "arn:aws:iam::1:user/ab", "allow"],
    ["ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*", "arn:aws:iam::1:user/b", "none"],
    ["ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*", undefined, "none"],
    ["ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b", "allow"],
    ["ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::1:user/a", "arn:aws:iam::1:user/a", "none"],
    ["ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*", "arn:aws:iam::1:user/ab", "none"],
    ["ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:user/a*", "arn:aws:iam::1:user/b", "allow"],
    ["Null", "s3:x-amz-server-side-encryption", "true", undefined, "allow"],
    ["Null", "s3:x-amz-server-side-encryption", "true", "AES256", "none"],
    ["Null", "s3:x-amz-server-side-encryption", "false", "AES256", "allow"],
    ["Null", "s3:x-amz-server-side-encryption", "false", undefined, "none"],
    ["ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", ["a", "b"], ["x", "b"], "allow"],
    ["ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", ["a", "b"], ["x", "y"], "none"],
    ["ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", ["a"], undefined, "none"],
    ["ForAnyValue:StringLike", "s3:RequestObjectTagKeys", "team-*", ["x", "team-a"], "allow"],
    ["ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", ["a"], ["a", "z"], "allow"],
    ["ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", ["a", "b"], ["a", "b"], "none"],
    ["ForAllValues:StringEquals", "s3:RequestObjectTagKeys", ["a", "b"], ["a", "b"], "allow"],
    ["ForAllValues:StringEquals", "s3:RequestObjectTagKeys", ["a", "b"], ["a", "z"], "none"],
    ["ForAllValues:StringEquals", "s3:RequestObjectTagKeys", ["a"], undefined, "allow"],
    ["ForAllValues:StringNotEquals", "s3:RequestObjectTagKeys", ["secret"], ["a", "b"], "allow"],
    [
      "ForAllValues:StringNotEquals",
      "s3:RequestObjectTagKeys",
      ["secret"],
      ["a", "secret"],
      "none",
    ],
    ["ForAllValues:StringLike", "s3:RequestObjectTagKeys", "team-*", ["team-a", "team-b"], "allow"],
    ["stringequals", "s3:prefix", "a/", "a/", "allow"],
    ["StringEquals", "AWS:USERNAME", "alice", "alice", "allow"],
    ["StringEquals", "s3:ExistingObjectTag/Project", "x", "x", "allow"],
    ["StringEquals", "s3:prefix", "${aws:username}/", "alice/", "allow"],
    ["StringEquals", "s3:prefix", "${aws:userid}/", "alice/", "none"],
  ];
  it.each(rows)("%s %s %j vs %j → %s", (operator, key, expected, actual, decision) => {
    const values: Values = { "aws:username": "alice" };
    if (actual !== undefined) values[key] = actual;
    const policy = doc({ ...allowAll, Condition: { [operator]: { [key]: expected } } });
    expect(evaluate([policy], request("s3:GetObject", obj("b", "k"), values))).toBe(decision);
  });

  it.each([
    ["both operators hold", { a: "x", n: "5" }, "allow"],
    ["the second operator fails", { a: "x", n: "50" }, "none"],
    ["the first operator fails", { a: "y", n: "5" }, "none"],
  ] as const)("every operator must hold: %s", (_, values, decision) => {
    const policy = doc({
      ...allowAll,
      Condition: {
        StringEquals: { "s3:prefix": "x" },
        NumericLessThan: { "s3:max-keys": "10" },
      },
    });
    const req = request("s3:ListBucket", bkt("b"), {
      "s3:prefix": values.a,
      "s3:max-keys": values.n,
    });
    expect(evaluate([policy], req)).toBe(decision);
  });

  it.each([
    ["both keys match", "x", "d", "allow"],
    ["one key differs", "x", "e", "none"],
  ] as const)("every key of one operator must hold: %s", (_, prefix, delimiter, decision) => {
    const policy = doc({
      ...allowAll,
      Condition: { StringEquals: { "s3:prefix": "x", "s3:delimiter": "d" } },
    });
    const req = request("s3:ListBucket", bkt("b"), {
      "s3:prefix": prefix,
      "s3:delimiter": delimiter,
    });
    expect(evaluate([policy], req)).toBe(decision);
  });

  it("a tag name keeps its case", () => {
    const policy = doc({
      ...allowAll,
      Condition: { StringEquals: { "s3:ExistingObjectTag/Project": "x" } },
    });
    const req = request("s3:GetObject", obj("b", "k"), { "s3:ExistingObjectTag/project": "x" });
    expect(evaluate([policy], req)).toBe("none");
  });
});

describe("actions, resources and their case rules", () => {
  type Row = [string, object, string, string, Decision];
  const rows: Row[] = [
    [
      "exact action",
      { Action: "s3:GetObject", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "actions ignore case",
      { Action: "S3:getobject", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "s3:Get* matches GetObject",
      { Action: "s3:Get*", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "s3:Get* misses PutObject",
      { Action: "s3:Get*", Resource: "*" },
      "s3:PutObject",
      obj("b", "k"),
      "none",
    ],
    [
      "? is one character",
      { Action: "s3:GetObjec?", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "? is exactly one",
      { Action: "s3:GetObj?", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "none",
    ],
    [
      "* in an identity policy is every action",
      { Action: "*", Resource: "*" },
      "admin:CreateUser",
      bkt("*"),
      "allow",
    ],
    ["s3:* is not admin", { Action: "s3:*", Resource: "*" }, "admin:CreateUser", bkt("*"), "none"],
    [
      "any listed action",
      { Action: ["s3:PutObject", "s3:GetObject"], Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "NotAction allows the rest",
      { NotAction: "s3:Delete*", Resource: "*" },
      "s3:GetObject",
      obj("b", "k"),
      "allow",
    ],
    [
      "NotAction excludes its own",
      { NotAction: "s3:Delete*", Resource: "*" },
      "s3:DeleteObject",
      obj("b", "k"),
      "none",
    ],
    [
      "NotAction ignores case",
      { NotAction: "s3:delete*", Resource: "*" },
      "s3:DeleteObject",
      obj("b", "k"),
      "none",
    ],
    [
      "resources are case-sensitive",
      { Action: "s3:*", Resource: obj("B", "*") },
      "s3:GetObject",
      obj("b", "k"),
      "none",
    ],
    [
      "key case matters",
      { Action: "s3:*", Resource: obj("b", "Docs/*") },
      "s3:GetObject",
      obj("b", "docs/x"),
      "none",
    ],
    [
      "prefix wildcard",
      { Action: "s3:*", Resource: obj("b", "docs/*") },
      "s3:GetObject",
      obj("b", "docs/x"),
      "allow",
    ],
    [
      "* crosses /",
      { Action: "s3:*", Resource: obj("b", "*") },
      "s3:GetObject",
      obj("b", "a/b/c"),
      "allow",
    ],
    [
      "? in a resource",
      { Action: "s3:*", Resource: obj("b", "v?.txt") },
      "s3:GetObject",
      obj("b", "v1.txt"),
      "allow",
    ],
    [
      "object pattern misses the bucket",
      { Action: "s3:*", Resource: obj("b", "*") },
      "s3:ListBucket",
      bkt("b"),
      "none",
    ],
    [
      "bucket pattern misses objects",
      { Action: "s3:*", Resource: bkt("b") },
      "s3:GetObject",
      obj("b", "k"),
      "none",
    ],
    [
      "bucket prefix is not a bucket",
      { Action: "s3:*", Resource: obj("b", "*") },
      "s3:GetObject",
      obj("bb", "k"),
      "none",
    ],
    [
      "arn:aws:s3:::* covers buckets",
      { Action: "s3:*", Resource: "arn:aws:s3:::*" },
      "s3:ListBucket",
      bkt("b"),
      "allow",
    ],
    [
      "NotResource excludes",
      { Action: "s3:*", NotResource: obj("b", "private/*") },
      "s3:GetObject",
      obj("b", "private/x"),
      "none",
    ],
    [
      "NotResource allows the rest",
      { Action: "s3:*", NotResource: obj("b", "private/*") },
      "s3:GetObject",
      obj("b", "public/x"),
      "allow",
    ],
    [
      "no Resource is every resource",
      { Action: "admin:*" },
      "admin:ServerInfo",
      "arn:aws:s3:::*",
      "allow",
    ],
  ];
  it.each(rows)("%s", (_, statement, action, resource, decision) => {
    expect(evaluate([doc({ Effect: "Allow", ...statement })], request(action, resource))).toBe(
      decision,
    );
  });
});

describe("policy variables", () => {
  const home = doc({ Effect: "Allow", Action: "s3:*", Resource: obj("home", "${aws:username}/*") });
  type Row = [string, PolicyDocument, ReturnType<typeof request>, Decision];
  const rows: Row[] = [
    [
      "aws:username matches",
      home,
      request("s3:GetObject", obj("home", "alice/x"), { "aws:username": "alice" }),
      "allow",
    ],
    [
      "aws:username of another user",
      home,
      request("s3:GetObject", obj("home", "bob/x"), { "aws:username": "alice" }),
      "none",
    ],
    [
      "a missing variable matches nothing",
      home,
      request("s3:GetObject", obj("home", "/x")),
      "none",
    ],
    [
      "aws:userid",
      doc({ Effect: "Allow", Action: "s3:*", Resource: obj("home", "${aws:userid}/*") }),
      request("s3:GetObject", obj("home", "alice/x"), { "aws:userid": "alice" }),
      "allow",
    ],
    [
      "a variable in a condition value",
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("home"),
        Condition: { StringLike: { "s3:prefix": "${aws:username}/*" } },
      }),
      request("s3:ListBucket", bkt("home"), {
        "s3:prefix": "alice/docs/",
        "aws:username": "alice",
      }),
      "allow",
    ],
    [
      "s3:prefix as a variable",
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bkt("home"),
        Condition: { StringEquals: { "aws:username": "${s3:prefix}" } },
      }),
      request("s3:ListBucket", bkt("home"), { "s3:prefix": "alice", "aws:username": "alice" }),
      "allow",
    ],
    [
      "a Deny whose variable is missing does not apply",
      doc(allowAll, { Effect: "Deny", Action: "s3:*", Resource: obj("home", "${aws:username}/*") }),
      request("s3:GetObject", obj("home", "x")),
      "allow",
    ],
  ];
  it.each(rows)("%s", (_, policy, req, decision) => {
    expect(evaluate([policy], req)).toBe(decision);
  });

  const byAgent = doc({
    Effect: "Allow",
    Action: "s3:*",
    Resource: obj("b", "${aws:UserAgent}/*"),
  });
  const literalStar = doc({ Effect: "Allow", Action: "s3:*", Resource: obj("b", "${*}") });
  const agentLike = doc({
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: bkt("b"),
    Condition: { StringLike: { "s3:prefix": "${aws:UserAgent}" } },
  });
  const literalRows: Row[] = [
    [
      "a request value is literal in a resource",
      byAgent,
      request("s3:GetObject", obj("b", "cli/x"), { "aws:UserAgent": "cli" }),
      "allow",
    ],
    [
      "a * from the request is no wildcard in a resource",
      byAgent,
      request("s3:GetObject", obj("b", "secret/x"), { "aws:UserAgent": "*" }),
      "none",
    ],
    [
      "a ? from the request is no wildcard in a resource",
      byAgent,
      request("s3:GetObject", obj("b", "a/x"), { "aws:UserAgent": "?" }),
      "none",
    ],
    ["${*} is a literal star", literalStar, request("s3:GetObject", obj("b", "*")), "allow"],
    ["${*} matches nothing else", literalStar, request("s3:GetObject", obj("b", "x")), "none"],
    [
      "a backslash in a pattern is literal",
      doc({ Effect: "Allow", Action: "s3:*", Resource: obj("b", "a\\b*") }),
      request("s3:GetObject", obj("b", "a\\bc")),
      "allow",
    ],
    [
      "a * from the request is no wildcard in StringLike",
      agentLike,
      request("s3:ListBucket", bkt("b"), { "s3:prefix": "secret/", "aws:UserAgent": "*" }),
      "none",
    ],
    [
      "a request value matches itself in StringLike",
      agentLike,
      request("s3:ListBucket", bkt("b"), { "s3:prefix": "cli", "aws:UserAgent": "cli" }),
      "allow",
    ],
  ];
  it.each(literalRows)("%s", (_, policy, req, decision) => {
    expect(evaluate([policy], req)).toBe(decision);
  });
});

describe("Deny precedence", () => {
  const denySecret = { Effect: "Deny", Action: "s3:*", Resource: obj("b", "secret/*") };
  type Row = [string, PolicyDocument[], ReturnType<typeof request>, Decision];
  const rows: Row[] = [
    [
      "Deny beside Allow in one document",
      [doc(allowAll, denySecret)],
      request("s3:GetObject", obj("b", "secret/k")),
      "deny",
    ],
    [
      "Deny in a later document",
      [readwrite, doc(denySecret)],
      request("s3:GetObject", obj("b", "secret/k")),
      "deny",
    ],
    [
      "Deny in an earlier document",
      [doc(denySecret), readwrite],
      request("s3:GetObject", obj("b", "secret/k")),
      "deny",
    ],
    [
      "Deny elsewhere leaves the Allow",
      [readwrite, doc(denySecret)],
      request("s3:GetObject", obj("b", "open/k")),
      "allow",
    ],
    [
      "only a Deny that misses is none",
      [doc(denySecret)],
      request("s3:GetObject", obj("b", "open/k")),
      "none",
    ],
    [
      "a Deny whose condition fails does not apply",
      [readwrite, doc({ ...denySecret, Condition: { Bool: { "aws:SecureTransport": "false" } } })],
      request("s3:GetObject", obj("b", "secret/k"), { "aws:SecureTransport": "true" }),
      "allow",
    ],
    [
      "Deny with NotAction refuses all but the named",
      [readwrite, doc({ Effect: "Deny", NotAction: "s3:Get*", Resource: "*" })],
      request("s3:PutObject", obj("b", "k")),
      "deny",
    ],
    [
      "Deny with NotAction spares the named",
      [readwrite, doc({ Effect: "Deny", NotAction: "s3:Get*", Resource: "*" })],
      request("s3:GetObject", obj("b", "k")),
      "allow",
    ],
    [
      "Deny * beats Allow s3:*",
      [readwrite, doc({ Effect: "Deny", Action: "*", Resource: "*" })],
      request("s3:GetObject", obj("b", "k")),
      "deny",
    ],
  ];
  it.each(rows)("%s", (_, docs, req, decision) => {
    expect(evaluate(docs, req)).toBe(decision);
  });
});

describe("stored documents Floe cannot evaluate fail closed", () => {
  type Row = [string, object, string, Decision];
  const rows: Row[] = [
    [
      "a Deny with a misspelled operator applies",
      {
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEqual: { "aws:username": "x" } },
      },
      "s3:GetObject",
      "deny",
    ],
    [
      "an Allow with a misspelled operator does not",
      {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEqual: { "aws:username": "alice" } },
      },
      "s3:GetObject",
      "none",
    ],
    [
      "a Deny with an unknown key applies",
      {
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEquals: { "aws:SorceIp": "x" } },
      },
      "s3:GetObject",
      "deny",
    ],
    [
      "an Allow with an unknown key does not",
      {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEquals: { "floe:who": "alice" } },
      },
      "s3:GetObject",
      "none",
    ],
    [
      "a Deny with a malformed resource applies",
      { Effect: "Deny", Action: "s3:*", Resource: "b/*" },
      "s3:GetObject",
      "deny",
    ],
    [
      "an Allow with a malformed resource does not",
      { Effect: "Allow", Action: "s3:*", Resource: "b/*" },
      "s3:GetObject",
      "none",
    ],
    [
      "a Deny with a malformed action applies",
      { Effect: "Deny", Action: "s3GetObject", Resource: "*" },
      "s3:GetObject",
      "deny",
    ],
    [
      "an Allow with a malformed NotAction allows nothing",
      { Effect: "Allow", NotAction: "s3Delete*", Resource: "*" },
      "s3:GetObject",
      "none",
    ],
    [
      "a Deny with a malformed NotResource applies",
      { Effect: "Deny", Action: "s3:*", NotResource: "b/public/*" },
      "s3:GetObject",
      "deny",
    ],
  ];
  it.each(rows)("%s", (_, statement, action, decision) => {
    const req = request(action, obj("b", "k"), { "aws:username": "alice" });
    const docs = decision === "none" ? [stored(statement)] : [readwrite, stored(statement)];
    expect(evaluate(docs, req)).toBe(decision);
  });
});

describe("bucket policies reach only S3 actions on their own bucket", () => {
  const on = (user: string | null): Principal => ({ user, bucket: "b" });
  const grant = (statement: object) =>
    stored({
      Effect: "Allow",
      Principal: { AWS: ["alice"] },
      Resource: [bkt("b"), obj("b", "*")],
      ...statement,
    });
  type Row = [string, PolicyDocument, string, string, Principal, Decision];
  const rows: Row[] = [
    [
      "Action * grants S3 on the bucket",
      grant({ Action: "*" }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "allow",
    ],
    [
      "Action * never grants admin account-wide",
      grant({ Action: "*", Resource: "*" }),
      "admin:CreateUser",
      "arn:aws:s3:::*",
      on("alice"),
      "none",
    ],
    [
      "Action * never grants a bucket-scoped admin action",
      grant({ Action: "*" }),
      "admin:SetBucketTarget",
      bkt("b"),
      on("alice"),
      "none",
    ],
    [
      "admin:* is not honoured either",
      grant({ Action: "admin:*" }),
      "admin:SetBucketTarget",
      bkt("b"),
      on("alice"),
      "none",
    ],
    [
      "*Create* never reaches admin:CreateUser",
      grant({ Action: "*Create*", Resource: "*" }),
      "admin:CreateUser",
      "arn:aws:s3:::*",
      on("alice"),
      "none",
    ],
    [
      "a pattern without a service matches nothing",
      grant({ Action: "*Object" }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "none",
    ],
    [
      "NotAction never reaches admin",
      grant({ NotAction: "s3:Delete*", Resource: "*" }),
      "admin:CreateUser",
      "arn:aws:s3:::*",
      on("alice"),
      "none",
    ],
    [
      "NotAction grants other S3 actions",
      grant({ NotAction: "s3:Delete*" }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "allow",
    ],
    [
      "NotAction keeps its exclusions",
      grant({ NotAction: "s3:Delete*" }),
      "s3:DeleteObject",
      obj("b", "k"),
      on("alice"),
      "none",
    ],
    [
      "Resource * never reaches another bucket",
      grant({ Action: "s3:*", Resource: "*" }),
      "s3:GetObject",
      obj("c", "k"),
      on("alice"),
      "none",
    ],
    [
      "Resource * covers its own bucket",
      grant({ Action: "s3:*", Resource: "*" }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "allow",
    ],
    [
      "a bucket sharing the name's prefix is another bucket",
      grant({ Action: "s3:*", Resource: "*" }),
      "s3:GetObject",
      obj("bb", "k"),
      on("alice"),
      "none",
    ],
    [
      "another principal",
      grant({ Action: "s3:*" }),
      "s3:GetObject",
      obj("b", "k"),
      on("bob"),
      "none",
    ],
    [
      "anonymous is not a named user",
      grant({ Action: "s3:*" }),
      "s3:GetObject",
      obj("b", "k"),
      on(null),
      "none",
    ],
    [
      "a user ARN principal",
      stored({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:user/alice" },
        Action: "s3:GetObject",
        Resource: obj("b", "*"),
      }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "allow",
    ],
    [
      "Principal * includes anonymous",
      stored({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: obj("b", "*") }),
      "s3:GetObject",
      obj("b", "k"),
      on(null),
      "allow",
    ],
    [
      "NotPrincipal spares the named",
      stored({
        Effect: "Deny",
        NotPrincipal: { AWS: "alice" },
        Action: "s3:*",
        Resource: obj("b", "*"),
      }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "none",
    ],
    [
      "NotPrincipal denies the others",
      stored({
        Effect: "Deny",
        NotPrincipal: { AWS: "alice" },
        Action: "s3:*",
        Resource: obj("b", "*"),
      }),
      "s3:GetObject",
      obj("b", "k"),
      on("bob"),
      "deny",
    ],
    [
      "a statement without principal never applies",
      stored({ Effect: "Allow", Action: "s3:*", Resource: obj("b", "*") }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "none",
    ],
    [
      "S3 actions ignore case here too",
      grant({ Action: "S3:GETOBJECT" }),
      "s3:GetObject",
      obj("b", "k"),
      on("alice"),
      "allow",
    ],
    [
      "a Deny on the bucket",
      stored({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: obj("b", "*") }),
      "s3:PutObject",
      obj("b", "k"),
      on("alice"),
      "deny",
    ],
  ];
  it.each(rows)("%s", (_, policy, action, resource, principal, decision) => {
    expect(evaluate([policy], request(action, resource), principal)).toBe(decision);
  });
});

/**
 * The policy evaluator, one row per case, each asserting the decision
 * (allow / deny / none): actions and resources with `*` and `?`,
 * NotAction / NotResource, and their case rules; policy variables. (Deny
 * precedence, stored documents and bucket-policy scope:
 * iam-policy-precedence.test.ts.)
 */
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../shared/iam/policy-document.ts";
import { evaluate, type Decision } from "../../shared/iam/evaluate.ts";
import { allowAll, bkt, doc, obj, request } from "../fixtures/iam-policy-table.ts";

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

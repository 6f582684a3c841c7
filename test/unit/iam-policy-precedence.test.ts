/**
 * The policy evaluator, one row per case, each asserting the decision
 * (allow / deny / none): Deny precedence; stored documents that fail
 * closed; and bucket policies confined to S3 actions on their own bucket.
 */
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../shared/iam/policy-document.ts";
import { evaluate, type Decision, type Principal } from "../../shared/iam/evaluate.ts";
import {
  allowAll,
  bkt,
  doc,
  obj,
  readwrite,
  request,
  stored,
} from "../fixtures/iam-policy-table.ts";

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

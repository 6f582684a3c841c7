/**
 * The policy evaluator, one row per case, each asserting the decision
 * (allow / deny / none): every condition operator family with its
 * negations, `...IfExists` and `ForAnyValue:` / `ForAllValues:`.
 * (Actions, resources and variables: iam-policy-scope.test.ts; Deny
 * precedence, stored documents and bucket-policy scope:
 * iam-policy-precedence.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { evaluate, type Decision } from "../../shared/iam/evaluate.ts";
import { allowAll, bkt, doc, obj, request, type Values } from "../fixtures/iam-policy-table.ts";

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

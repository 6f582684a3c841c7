/**
 * What policies Floe accepts (every problem named and refused), and the
 * whole access decision (shared/iam/decide.ts) across identity policies,
 * a service account's own policy and the bucket policy: root, Deny
 * precedence, bucket policies that never grant admin actions, and service
 * accounts that never exceed their parent.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_POLICIES } from "../../shared/iam/builtin-policies.ts";
import { conditionKey } from "../../shared/iam/conditions.ts";
import { decideAccess, type BucketPolicyInput, type Caller } from "../../shared/iam/decide.ts";
import {
  parsePolicy,
  parseStoredPolicy,
  PolicyError,
  type PolicyDocument,
} from "../../shared/iam/policy-document.ts";

const V = "2012-10-17";
const allowAll = { Effect: "Allow", Action: "s3:*", Resource: "*" };
const withCondition = (Condition: object) => ({
  Version: V,
  Statement: [{ ...allowAll, Condition }],
});
const withStatement = (statement: object) => ({ Version: V, Statement: [statement] });

describe("policy validation", () => {
  const refused: [string, unknown, RegExp][] = [
    [
      "a misspelled operator",
      withCondition({ StringEqual: { "s3:prefix": "a" } }),
      /unknown condition operator StringEqual/,
    ],
    [
      "a misspelled qualifier",
      withCondition({ "ForAnyValues:StringEquals": { "s3:prefix": "a" } }),
      /unknown condition operator/,
    ],
    [
      "Null with IfExists",
      withCondition({ NullIfExists: { "s3:prefix": "true" } }),
      /unknown condition operator/,
    ],
    [
      "Null with a qualifier",
      withCondition({ "ForAnyValue:Null": { "s3:prefix": "true" } }),
      /unknown condition operator/,
    ],
    [
      "BinaryEquals (not supported)",
      withCondition({ BinaryEquals: { "s3:prefix": "YQ==" } }),
      /unknown condition operator/,
    ],
    [
      "a misspelled global key",
      withCondition({ IpAddress: { "aws:SorceIp": "10.0.0.0/8" } }),
      /unknown condition key aws:SorceIp/,
    ],
    [
      "a misspelled S3 key",
      withCondition({ StringLike: { "s3:prefixes": "a*" } }),
      /unknown condition key/,
    ],
    [
      "a key of another service",
      withCondition({ StringEquals: { "ec2:Region": "x" } }),
      /unknown condition key/,
    ],
    [
      "a tag key without a tag name",
      withCondition({ StringEquals: { "s3:ExistingObjectTag/": "x" } }),
      /unknown condition key/,
    ],
    ["an operator with no key", withCondition({ StringEquals: {} }), /names no key/],
    ["a key with no value", withCondition({ StringEquals: { "s3:prefix": [] } }), /has no value/],
    [
      "a number that is not one",
      withCondition({ NumericLessThan: { "s3:max-keys": "ten" } }),
      /not a number/,
    ],
    [
      "a date that is not one",
      withCondition({ DateLessThan: { "aws:CurrentTime": "tomorrow" } }),
      /not a date/,
    ],
    [
      "a Bool that is not one",
      withCondition({ Bool: { "aws:SecureTransport": "yes" } }),
      /not true or false/,
    ],
    [
      "a Null that is not true or false",
      withCondition({ Null: { "s3:prefix": "maybe" } }),
      /not true or false/,
    ],
    [
      "a CIDR with too many bits",
      withCondition({ IpAddress: { "aws:SourceIp": "10.0.0.0/33" } }),
      /not an IP address/,
    ],
    [
      "an address out of range",
      withCondition({ NotIpAddress: { "aws:SourceIp": "300.0.0.1" } }),
      /not an IP address/,
    ],
    [
      "a resource that is not an ARN",
      withStatement({ ...allowAll, Resource: "photos/*" }),
      /invalid resource photos\/\*/,
    ],
    [
      "an ARN without a bucket",
      withStatement({ ...allowAll, Resource: "arn:aws:s3:::" }),
      /invalid resource/,
    ],
    [
      "an IAM ARN as resource",
      withStatement({ ...allowAll, Resource: "arn:aws:iam::1:user/x" }),
      /invalid resource/,
    ],
    [
      "a NotResource that is not an ARN",
      withStatement({ Effect: "Deny", Action: "s3:*", NotResource: "b/*" }),
      /invalid resource/,
    ],
    [
      "an action without a service",
      withStatement({ ...allowAll, Action: "s3GetObject" }),
      /invalid action s3GetObject/,
    ],
    [
      "a wildcard action without a service",
      withStatement({ ...allowAll, Action: "*Create*" }),
      /invalid action/,
    ],
    [
      "an action of another service",
      withStatement({ ...allowAll, Action: "ec2:*" }),
      /invalid action/,
    ],
    ["an empty Statement list", { Version: V, Statement: [] }, /at least one statement/],
    ["an empty statement", { Version: V, Statement: [{}] }, /Effect|Action/],
    [
      "a lower-case Effect",
      withStatement({ ...allowAll, Effect: "allow" }),
      /Effect must be Allow or Deny/,
    ],
    [
      "an unknown Effect",
      withStatement({ ...allowAll, Effect: "Permit" }),
      /Effect must be Allow or Deny/,
    ],
    ["an unknown Version", { Version: "2012-10-18", Statement: [allowAll] }, /Version must be/],
    ["no Version", { Statement: [allowAll] }, /Version must be/],
  ];
  it.each(refused)("refuses %s", (_, input, message) => {
    expect(() => parsePolicy(input)).toThrow(PolicyError);
    expect(() => parsePolicy(input)).toThrow(message);
  });

  const accepted: [string, unknown][] = [
    [
      "a variable as a number",
      withCondition({ NumericLessThan: { "s3:max-keys": "${aws:username}" } }),
    ],
    ["IpAddressIfExists", withCondition({ IpAddressIfExists: { "aws:SourceIp": "10.0.0.0/8" } })],
    [
      "ForAllValues:StringLike",
      withCondition({ "ForAllValues:StringLike": { "s3:RequestObjectTagKeys": "a*" } }),
    ],
    [
      "any object tag name",
      withCondition({ StringEquals: { "s3:ExistingObjectTag/Cost Centre": "x" } }),
    ],
    ["principal tags", withCondition({ StringEquals: { "aws:PrincipalTag/team": "x" } })],
    ["keys in any case", withCondition({ StringEquals: { "AWS:UserName": "x" } })],
    [
      "epoch seconds as a date",
      withCondition({ DateGreaterThan: { "aws:EpochTime": "1700000000" } }),
    ],
    ["arn:aws:s3:::*", withStatement({ ...allowAll, Resource: "arn:aws:s3:::*" })],
    ["Resource *", withStatement(allowAll)],
    ["admin actions without a resource", withStatement({ Effect: "Allow", Action: "admin:*" })],
    ["Action *", withStatement({ ...allowAll, Action: "*" })],
    ["the 2008 version", { Version: "2008-10-17", Statement: allowAll }],
  ];
  it.each(accepted)("accepts %s", (_, input) => {
    expect(() => parsePolicy(input)).not.toThrow();
  });

  it.each(Object.keys(BUILTIN_POLICIES))("the built-in %s passes validation", (name) => {
    expect(() => parsePolicy(BUILTIN_POLICIES[name])).not.toThrow();
  });

  it("reads back a stored document that predates validation", () => {
    expect(() =>
      parseStoredPolicy(withCondition({ StringEqual: { "s3:prefix": "a" } })),
    ).not.toThrow();
  });
});

const doc = (...statements: object[]): PolicyDocument =>
  parsePolicy({ Version: V, Statement: statements });
const bucketDoc = (...statements: object[]): PolicyDocument =>
  parseStoredPolicy({ Version: V, Statement: statements });

function request(action: string, resource: string) {
  const conditions = new Map<string, string[]>([[conditionKey("aws:username"), ["alice"]]]);
  return { action, resource, conditions };
}

const user = (policies: PolicyDocument[], sessionPolicy: PolicyDocument | null = null): Caller => ({
  isRoot: false,
  rootParent: false,
  user: "alice",
  policies,
  sessionPolicy,
});
const rootUser: Caller = {
  isRoot: true,
  rootParent: false,
  user: "root",
  policies: [],
  sessionPolicy: null,
};
const rootAccount = (sessionPolicy: PolicyDocument): Caller => ({
  isRoot: false,
  rootParent: true,
  user: "root",
  policies: [],
  sessionPolicy,
});

const readwrite = BUILTIN_POLICIES.readwrite;
const readonly = BUILTIN_POLICIES.readonly;
const consoleAdmin = BUILTIN_POLICIES.consoleAdmin;
const everything = doc({ Effect: "Allow", Action: "*", Resource: "*" });
const broad = doc({ Effect: "Allow", Action: ["s3:*", "admin:*"], Resource: "*" });
const getOnly = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" });
const putOnly = doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" });
const denyPut = doc(
  { Effect: "Allow", Action: "s3:*", Resource: "*" },
  { Effect: "Deny", Action: "s3:PutObject", Resource: "*" },
);

const on = (policy: PolicyDocument | "unreadable" | null): BucketPolicyInput => ({
  bucket: "b",
  policy,
});
const grantAlice = (action: string | string[]) =>
  on(
    bucketDoc({
      Effect: "Allow",
      Principal: { AWS: "alice" },
      Action: action,
      Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    }),
  );
const grantAllAlice = (statement: object) =>
  on(bucketDoc({ Effect: "Allow", Principal: { AWS: "alice" }, Resource: "*", ...statement }));
const denyAlice = on(
  bucketDoc({
    Effect: "Deny",
    Principal: { AWS: "alice" },
    Action: "s3:*",
    Resource: "arn:aws:s3:::b/*",
  }),
);
const publicRead = on(
  bucketDoc({
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: "arn:aws:s3:::b/*",
  }),
);

const GET = ["s3:GetObject", "arn:aws:s3:::b/k"] as const;
const PUT = ["s3:PutObject", "arn:aws:s3:::b/k"] as const;
const CREATE_USER = ["admin:CreateUser", "arn:aws:s3:::*"] as const;
const SET_TARGET = ["admin:SetBucketTarget", "arn:aws:s3:::b"] as const;

describe("the access decision", () => {
  type Row = [string, Caller | null, BucketPolicyInput | null, readonly [string, string], boolean];
  const rows: Row[] = [
    ["root may do anything", rootUser, null, CREATE_USER, true],
    [
      "root is not bound by a bucket Deny",
      rootUser,
      on(
        bucketDoc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }),
      ),
      PUT,
      true,
    ],
    ["root reads a bucket whose policy is unreadable", rootUser, on("unreadable"), GET, true],
    ["readwrite reads", user([readwrite]), null, GET, true],
    ["readwrite has no admin action", user([readwrite]), null, CREATE_USER, false],
    ["no policy, nothing", user([]), null, GET, false],
    ["an identity Deny beats its Allow", user([denyPut]), null, PUT, false],
    ["a bucket Deny beats readwrite", user([readwrite]), denyAlice, GET, false],
    [
      "an identity Deny beats a bucket Allow",
      user([denyPut]),
      grantAlice("s3:PutObject"),
      PUT,
      false,
    ],
    [
      "a bucket policy grants a user without policies",
      user([]),
      grantAlice("s3:GetObject"),
      GET,
      true,
    ],
    ["a bucket policy with Action * grants S3", user([]), grantAlice("*"), PUT, true],
    [
      "a bucket policy with Action * grants no admin action",
      user([readwrite]),
      grantAllAlice({ Action: "*" }),
      CREATE_USER,
      false,
    ],
    ["nor a bucket-scoped admin action", user([readwrite]), grantAlice("*"), SET_TARGET, false],
    [
      "a bucket policy with NotAction grants no admin action",
      user([readwrite]),
      grantAllAlice({ NotAction: "s3:DeleteObject" }),
      CREATE_USER,
      false,
    ],
    [
      "nor a bucket-scoped one through NotAction",
      user([readwrite]),
      grantAllAlice({ NotAction: "s3:DeleteObject" }),
      SET_TARGET,
      false,
    ],
    [
      "a bucket policy's admin:* grants nothing",
      user([]),
      grantAlice("admin:*"),
      SET_TARGET,
      false,
    ],
    ["an identity Action * grants admin actions", user([everything]), null, CREATE_USER, true],
    ["consoleAdmin grants admin actions", user([consoleAdmin]), null, CREATE_USER, true],
    ["anonymous reads a public object", null, publicRead, GET, true],
    ["anonymous cannot write it", null, publicRead, PUT, false],
    ["anonymous has no admin action", null, publicRead, CREATE_USER, false],
    ["anonymous without a bucket policy", null, on(null), GET, false],
    ["an unreadable bucket policy refuses", user([readwrite]), on("unreadable"), GET, false],
    ["a service account inherits its parent", user([readwrite]), null, PUT, true],
    ["a narrowing policy allows what it names", user([readwrite], getOnly), null, GET, true],
    ["a narrowing policy refuses the rest", user([readwrite], getOnly), null, PUT, false],
    [
      "a broader policy never exceeds a readonly parent (S3)",
      user([readonly], broad),
      null,
      PUT,
      false,
    ],
    [
      "a broader policy never exceeds the parent (admin)",
      user([readonly], broad),
      null,
      CREATE_USER,
      false,
    ],
    [
      "Action * of its own gives no admin action",
      user([readwrite], everything),
      null,
      CREATE_USER,
      false,
    ],
    ["a parent without policies gives nothing", user([], broad), null, GET, false],
    [
      "its own policy bounds a bucket grant naming the parent",
      user([], getOnly),
      grantAlice("s3:PutObject"),
      PUT,
      false,
    ],
    [
      "a bucket grant within its own policy holds",
      user([], putOnly),
      grantAlice("s3:PutObject"),
      PUT,
      true,
    ],
    [
      "an unrestricted one has the parent's bucket grants",
      user([]),
      grantAlice("s3:PutObject"),
      PUT,
      true,
    ],
    ["a Deny of its own beats the parent's Allow", user([readwrite], denyPut), null, PUT, false],
    [
      "a Deny of its own beats a bucket Allow",
      user([], denyPut),
      grantAlice("s3:PutObject"),
      PUT,
      false,
    ],
    [
      "a root service account with a policy is bounded by it",
      rootAccount(getOnly),
      null,
      PUT,
      false,
    ],
    [
      "a root service account with a policy has what it names",
      rootAccount(getOnly),
      null,
      GET,
      true,
    ],
    ["a root service account's own admin grant", rootAccount(broad), null, CREATE_USER, true],
    [
      "a root service account with S3 only has no admin",
      rootAccount(readwrite),
      null,
      CREATE_USER,
      false,
    ],
  ];
  it.each(rows)("%s", (_, caller, bucket, [action, resource], expected) => {
    expect(decideAccess(caller, bucket, request(action, resource))).toBe(expected);
  });
});

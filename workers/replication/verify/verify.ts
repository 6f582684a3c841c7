/**
 * `replicate verify`: compares the full replicated state of every version
 * of a bucket here with a remote target's (shared/replication/digest.ts
 * says what a state holds), and with `fix` requeues the versions that
 * differ (verify-fix.ts). The remote answers the digest route to the
 * target's own credentials (s3:ListBucket on its bucket).
 *
 * Streaming, page by page: this site reads a page of range digests (about
 * PAGE_VERSIONS versions, ending at a range boundary); the remote is asked
 * for its ranges over exactly the same key span (`until` = the page's last
 * key). Ranges are cut at the same keys on both sides, so equal ranges
 * pair up and are skipped whole; where the two lists part, everything up
 * to the next boundary both share is compared version by version, merging
 * two pages of full states in key order. A version is "missing-on-remote",
 * "missing-here" or "different" (with the fields that differ). At most
 * MAX_DIFFERENCES are reported.
 */
import type { z } from "zod";
import {
  digestPageSchema,
  linePageSchema,
  type DigestPage,
  type DigestRange,
  type DigestScope,
  type KeyedVersionState,
  type LinePage,
  type VersionState,
} from "../../../shared/replication/digest.ts";
import { PeerClient } from "../../../shared/peer/client.ts";
import { versionDigest, versionLines } from "../../objects/replication-state.ts";
import { compareKeys, differingFields } from "./verify-fields.ts";
import { PeerDialError, peerFetch } from "../../../shared/peer/dial.ts";
import type { PeerTarget } from "../targets/peer-fetch.ts";

/** Largest digest answer read from the remote (a page of digests or of version states). */
const MAX_DIGEST_ANSWER = 16 * 1024 * 1024;

/** Most differences reported (the comparison stops there). */
export const MAX_DIFFERENCES = 1000;
/** Versions per digest page read here (the remote answers over the same key span). */
const PAGE_VERSIONS = 5000;
/** Versions per page of full states. */
const LINE_PAGE = 1000;

export interface Difference {
  key: string;
  versionId: string;
  problem: "missing-on-remote" | "missing-here" | "different";
  /** The fields that differ ("different" only; empty otherwise). */
  fields: string[];
  here: VersionState | null;
  remote: VersionState | null;
}

export interface VerifyReport {
  equal: boolean;
  prefix: string;
  /** Keys and versions walked here. */
  keysCompared: number;
  versionsCompared: number;
  /** Range digests read on each side, and how many spans were compared version by version. */
  rangesCompared: number;
  rangesDiffering: number;
  differences: Difference[];
  truncated: boolean;
}

/** The remote answered with an error, or with no usable digest (the message is safe to pass on). */
export class RemoteDigestError extends Error {}

/** Both sides of a comparison: this site's coordinator and the remote's digest route. */
export interface VerifySides {
  here: {
    digest(scope: DigestScope, limit: number): Promise<DigestPage>;
    lines(scope: DigestScope, afterVersion: string | null, limit: number): Promise<LinePage>;
  };
  remote: VerifySides["here"];
}

/** GET of the remote's digest route with the target's credentials. */
export async function remoteGet<T>(
  target: PeerTarget,
  query: URLSearchParams,
  schema: z.ZodType<T>,
): Promise<T> {
  // A pooled connection the remote closed fails without an answer: the GET is tried once more.
  const client = new PeerClient(target, (url, init) =>
    peerFetch(target.allowlist, url, init).catch((error: unknown) => {
      if (error instanceof PeerDialError) return peerFetch(target.allowlist, url, init);
      throw error;
    }),
  );
  const answer = await client.admin(
    "GET",
    `buckets/${target.targetBucket}/replication/digest?${query}`,
    schema,
    { signal: AbortSignal.timeout(60_000), maxBytes: MAX_DIGEST_ANSWER },
  );
  if (answer.ok) return answer.value;
  switch (answer.problem) {
    case "error":
      throw new RemoteDigestError(
        `remote digest: HTTP ${answer.status} ${answer.code ?? ""}`.trim(),
      );
    case "too-large":
      throw new RemoteDigestError("remote digest: the answer is too large");
    case "not-json":
      throw new RemoteDigestError("remote digest: the answer is not JSON");
    case "invalid":
      throw new RemoteDigestError("remote digest: the answer is not in the digest format");
  }
}

function scopeQuery(scope: DigestScope, limit: number): URLSearchParams {
  const query = new URLSearchParams({ prefix: scope.prefix, limit: String(limit) });
  if (scope.after !== null) query.set("after", scope.after);
  if (scope.until !== null) query.set("until", scope.until);
  return query;
}

/** The two sides as a source site sees them: its bucket, and the target over HTTP. */
export function sidesOf(env: Env, bucket: string, target: PeerTarget): VerifySides {
  return {
    here: {
      digest: (scope, limit) => versionDigest(env, bucket, scope, limit),
      lines: (scope, afterVersion, limit) => versionLines(env, bucket, scope, afterVersion, limit),
    },
    remote: {
      // The remote stores versions in its own class: it compares them as such.
      digest: (scope, limit) =>
        remoteGet(target, scopeQuery({ ...scope, storageClass: null }, limit), digestPageSchema),
      lines: (scope, afterVersion, limit) => {
        const query = scopeQuery({ ...scope, storageClass: null }, limit);
        query.set("lines", "true");
        if (afterVersion !== null) query.set("afterVersion", afterVersion);
        return remoteGet(target, query, linePageSchema);
      },
    },
  };
}

/** Every version of one side in the key span of `scope`, page by page. */
async function* statesOf(
  side: VerifySides["here"],
  scope: DigestScope,
): AsyncGenerator<KeyedVersionState> {
  let after: { key: string; versionId: string } | null = null;
  for (;;) {
    const page: LinePage = await side.lines(
      after ? { ...scope, after: after.key } : scope,
      after?.versionId ?? null,
      LINE_PAGE,
    );
    yield* page.versions;
    if (!page.next) return;
    after = page.next;
  }
}

const order = (a: KeyedVersionState, b: KeyedVersionState) =>
  compareKeys(a.key, b.key) || compareKeys(a.versionId, b.versionId);

function bare(state: KeyedVersionState): VersionState {
  const { key, ...rest } = state;
  void key;
  return rest;
}

/** Compares the versions of one key span on both sides, adding the differences to the report. */
async function compareSpan(sides: VerifySides, scope: DigestScope, report: VerifyReport) {
  const here = statesOf(sides.here, scope);
  const remote = statesOf(sides.remote, scope);
  let mine = await here.next();
  let theirs = await remote.next();
  const add = (difference: Difference) => {
    report.differences.push(difference);
    if (report.differences.length >= MAX_DIFFERENCES) report.truncated = true;
  };
  while ((!mine.done || !theirs.done) && !report.truncated) {
    const cmp = mine.done ? 1 : theirs.done ? -1 : order(mine.value, theirs.value);
    if (cmp < 0 && !mine.done) {
      const v = mine.value;
      add({
        key: v.key,
        versionId: v.versionId,
        problem: "missing-on-remote",
        fields: [],
        here: bare(v),
        remote: null,
      });
      mine = await here.next();
    } else if (cmp > 0 && !theirs.done) {
      const v = theirs.value;
      add({
        key: v.key,
        versionId: v.versionId,
        problem: "missing-here",
        fields: [],
        here: null,
        remote: bare(v),
      });
      theirs = await remote.next();
    } else if (!mine.done && !theirs.done) {
      const fields = differingFields(mine.value, theirs.value);
      if (fields.length > 0)
        add({
          key: mine.value.key,
          versionId: mine.value.versionId,
          problem: "different",
          fields,
          here: bare(mine.value),
          remote: bare(theirs.value),
        });
      [mine, theirs] = await Promise.all([here.next(), remote.next()]);
    }
  }
  await Promise.all([here.return(undefined), remote.return(undefined)]);
}

/**
 * Pairs the two sides' ranges over one key span: returns the spans
 * `(start, end]` to compare version by version (end null: to the span's end).
 */
export function differingSpans(
  start: string | null,
  mine: readonly DigestRange[],
  theirs: readonly DigestRange[],
): { after: string | null; until: string | null }[] {
  const spans: { after: string | null; until: string | null }[] = [];
  let from = start;
  let i = 0;
  let j = 0;
  while (i < mine.length || j < theirs.length) {
    const a = mine[i];
    const b = theirs[j];
    if (a && b && a.last === b.last) {
      if (a.digest !== b.digest || a.versions !== b.versions)
        spans.push({ after: from, until: a.last });
      from = a.last;
      i++;
      j++;
      continue;
    }
    // The lists part: walk both to the next boundary they share.
    let until: string | null = null;
    for (;;) {
      const x = mine[i];
      const y = theirs[j];
      if (!x || !y) {
        i = mine.length;
        j = theirs.length;
        break;
      }
      if (x.last === y.last) {
        until = x.last;
        i++;
        j++;
        break;
      }
      if (compareKeys(x.last, y.last) < 0) i++;
      else j++;
    }
    spans.push({ after: from, until });
    from = until;
  }
  return spans;
}

/** Compares two sides under a prefix (the sides may be any pair of coordinators). */
export async function compareSides(
  sides: VerifySides,
  prefix: string,
  storageClass: string | null,
): Promise<VerifyReport> {
  const report: VerifyReport = {
    equal: true,
    prefix,
    keysCompared: 0,
    versionsCompared: 0,
    rangesCompared: 0,
    rangesDiffering: 0,
    differences: [],
    truncated: false,
  };
  let after: string | null = null;
  const pageHere = (from: string | null) =>
    sides.here.digest({ prefix, after: from, until: null, storageClass }, PAGE_VERSIONS);
  let reading = pageHere(null);
  for (;;) {
    const scope: DigestScope = { prefix, after, until: null, storageClass };
    const mine = await reading;
    // This site's next page is read while the remote answers for this one.
    if (mine.next !== null) reading = pageHere(mine.next);
    // The remote answers over the same span, however many versions it holds there.
    const theirs = await sides.remote.digest(
      { ...scope, until: mine.next, storageClass: null },
      Number.MAX_SAFE_INTEGER,
    );
    for (const range of mine.ranges) {
      report.keysCompared += range.keys;
      report.versionsCompared += range.versions;
    }
    report.rangesCompared += mine.ranges.length;
    const spans = differingSpans(after, mine.ranges, theirs.ranges);
    for (const span of spans) {
      report.rangesDiffering++;
      const until = span.until ?? mine.next;
      await compareSpan(sides, { prefix, after: span.after, until, storageClass }, report);
      if (report.truncated) break;
    }
    if (report.truncated || mine.next === null) break;
    after = mine.next;
  }
  // A page read ahead of a comparison that stopped is not needed, but must not fail unseen.
  await reading.catch(() => null);
  report.equal = report.differences.length === 0;
  return report;
}

/** Verifies a bucket here against one remote target. */
export async function verifyAgainst(
  env: Env,
  bucket: string,
  target: PeerTarget,
  prefix: string,
  storageClass: string | null,
): Promise<VerifyReport> {
  return compareSides(sidesOf(env, bucket, target), prefix, storageClass);
}

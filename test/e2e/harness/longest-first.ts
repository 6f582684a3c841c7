/**
 * The e2e suite's file order: longest first, so the workers finish
 * together. Each worker takes the next file when it is free; started first,
 * the long replication files (two-minute outages, drills, resyncs across a
 * restart) run beside the many short ones, and the run ends with a few
 * seconds of short files rather than one long file running alone.
 *
 * Vitest's own order reads the previous run's durations from its cache and
 * falls back to file size, which a fresh checkout (CI) has no cache for;
 * the order here is fixed. A file missing from the table runs first (it
 * may be long), so a new file costs nothing until it is added.
 *
 * FILE_SECONDS: each file's wall time run alone on a quiet 2-core machine
 * (site boots included), as `npx vitest run --config vitest.e2e.config.mts
 * --maxWorkers=1` reports per file. Only the order they give matters.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const FILE_SECONDS: Readonly<Record<string, number>> = {
  "replication-outage.test.ts": 139,
  "replication-recovery.test.ts": 133,
  "replication-mesh.test.ts": 91,
  "replication.test.ts": 50,
  "cli.test.ts": 43,
  "cli-replicate.test.ts": 42,
  "clients/aws-cli.test.ts": 37,
  "cli-mirror.test.ts": 34,
  "replication-status.test.ts": 34,
  "storage.test.ts": 32,
  "replication-metadata.test.ts": 26,
  "cli-recovery.test.ts": 25,
  "namespace-rebuild.test.ts": 24,
  "security/fuzz.test.ts": 20,
  "replication-modes.test.ts": 17,
  "cli-admin.test.ts": 13,
  "security/input-limits.test.ts": 11,
  "replication-origin.test.ts": 9,
  "security/replica-lock-replication.test.ts": 7,
  "cli-verify.test.ts": 7,
  "clients.test.ts": 6,
  "sigv2.test.ts": 6,
  "replication-verify.test.ts": 6,
  "local-runner.test.ts": 5,
  "clients/rclone.test.ts": 5,
  "clients/s3cmd.test.ts": 4,
  "cli-replicate-sites.test.ts": 4,
  "s3-api.test.ts": 4,
  "iam.test.ts": 4,
  "checksums-full-object.test.ts": 4,
  "object-lock.test.ts": 4,
  "security/targets.test.ts": 4,
  "clients/curl.test.ts": 3,
  "clients/minio-js.test.ts": 3,
  "clients/boto3.test.ts": 3,
  "security/iam-attacks.test.ts": 3,
  "s3-api-input.test.ts": 3,
  "s3-semantics.test.ts": 2,
  "clients/js-sdk.test.ts": 2,
  "xml-bodies.test.ts": 2,
  "security/replica-writes.test.ts": 2,
  "security/parsing.test.ts": 2,
  "versioning.test.ts": 2,
  "lifecycle.test.ts": 2,
  "security/lock-headers.test.ts": 2,
  "http-edge.test.ts": 2,
};

const e2eRoot = import.meta.dirname.replace(/[\\/]harness$/, "");

/** A file's expected seconds; a file the table does not know sorts before every known one. */
export function expectedSeconds(moduleId: string): number {
  const name = relative(e2eRoot, moduleId).split("\\").join("/");
  return FILE_SECONDS[name] ?? Number.POSITIVE_INFINITY;
}

/** Vitest sequencer (`sequence.sequencer`): longest files first, ties by name. */
export class LongestFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve(
      [...files].sort(
        (a, b) =>
          expectedSeconds(b.moduleId) - expectedSeconds(a.moduleId) ||
          (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0),
      ),
    );
  }
}

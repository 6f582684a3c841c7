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
 * FILE_SECONDS: each file's wall time with one file at a time on a 2-core
 * machine (`npx vitest run --config vitest.e2e.config.mts --maxWorkers=1`
 * reports it per file). Only the order they give matters.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const FILE_SECONDS: Readonly<Record<string, number>> = {
  "replication-outage.test.ts": 135,
  "replication-recovery.test.ts": 96,
  "replication-mesh.test.ts": 82,
  "cli-replicate.test.ts": 36,
  "replication.test.ts": 31,
  "storage.test.ts": 30,
  "cli-recovery.test.ts": 25,
  "cli.test.ts": 22,
  "replication-metadata.test.ts": 22,
  "cli-mirror.test.ts": 20,
  "replication-status.test.ts": 20,
  "security/fuzz.test.ts": 18,
  "replication-batches.test.ts": 16,
  "replication-modes.test.ts": 14,
  "cli-admin.test.ts": 13,
  "clients/aws-cli.test.ts": 13,
  "security/input-limits.test.ts": 11,
  "namespace-rebuild.test.ts": 9,
  "replication-origin.test.ts": 9,
  "clients.test.ts": 7,
  "sigv2.test.ts": 7,
  "cli-verify.test.ts": 5,
  "replication-verify.test.ts": 5,
  "security/replica-lock-replication.test.ts": 5,
  "checksums-full-object.test.ts": 4,
  "cli-replicate-sites.test.ts": 4,
  "iam.test.ts": 4,
  "local-runner.test.ts": 4,
  "security/targets.test.ts": 4,
  "security/admin-precedence.test.ts": 3,
  "health.test.ts": 3,
  "security/replica-batch.test.ts": 3,
  "clients/rclone.test.ts": 3,
  "clients/s3cmd.test.ts": 3,
  "object-lock.test.ts": 3,
  "s3-api.test.ts": 3,
  "s3-semantics.test.ts": 3,
  "clients/boto3.test.ts": 2,
  "clients/curl.test.ts": 2,
  "clients/js-sdk.test.ts": 2,
  "clients/minio-js.test.ts": 2,
  "http-edge.test.ts": 2,
  "s3-api-input.test.ts": 2,
  "security/iam-attacks.test.ts": 2,
  "security/parsing.test.ts": 2,
  "security/replica-writes.test.ts": 2,
  "xml-bodies.test.ts": 2,
  "lifecycle.test.ts": 1,
  "security/lock-headers.test.ts": 1,
  "versioning.test.ts": 1,
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

/**
 * `POST /floe/admin/v1/heal` with `{ bucket?, key? }`: heals one object (every
 * version of the key), one bucket, or every bucket, and reports what was
 * checked and rebuilt.
 */
import { z } from "zod";
import { deploymentStub } from "../objects/stubs.ts";
import { bucketInfo } from "../objects/buckets.ts";
import {
  healVersion,
  versionsOfKey,
  versionsPage,
  type HealReport,
} from "../objects/maintenance.ts";
import { AdminError } from "./http.ts";

export const healRequestSchema = z
  .object({
    bucket: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.key === undefined || r.bucket !== undefined, { message: "key needs a bucket" });

export interface HealSummary {
  scope: { bucket?: string; key?: string; dryRun?: boolean };
  versionsChecked: number;
  versionsHealed: number;
  shardsRebuilt: number;
  copiesRebuilt: number;
  unrecoverableBlocks: number;
  /** Versions that could not be fully healed (a drive offline, or data lost). */
  incomplete: {
    bucket: string;
    key: string;
    versionId: string;
    offlineDrives: number;
    unrecoverableBlocks: number;
  }[];
  /** Versions that were rebuilt. */
  healed: {
    bucket: string;
    key: string;
    versionId: string;
    shardsRebuilt: number;
    copiesRebuilt: number;
  }[];
}

const PAGE = 100;

/** Runs an admin heal over the requested scope. */
export async function runHeal(
  env: Env,
  scope: z.infer<typeof healRequestSchema>,
): Promise<HealSummary> {
  const summary: HealSummary = {
    scope,
    versionsChecked: 0,
    versionsHealed: 0,
    shardsRebuilt: 0,
    copiesRebuilt: 0,
    unrecoverableBlocks: 0,
    incomplete: [],
    healed: [],
  };
  const record = (report: HealReport) => {
    summary.versionsChecked++;
    summary.shardsRebuilt += report.shardsRebuilt;
    summary.copiesRebuilt += report.copiesRebuilt;
    summary.unrecoverableBlocks += report.unrecoverableBlocks;
    const { bucket, key, versionId } = report;
    if (report.shardsRebuilt > 0 || report.copiesRebuilt > 0) {
      summary.versionsHealed++;
      summary.healed.push({
        bucket,
        key,
        versionId,
        shardsRebuilt: report.shardsRebuilt,
        copiesRebuilt: report.copiesRebuilt,
      });
    }
    if (!report.healthy) {
      summary.incomplete.push({
        bucket,
        key,
        versionId,
        offlineDrives: report.offlineDrives,
        unrecoverableBlocks: report.unrecoverableBlocks,
      });
    }
  };
  const buckets = scope.bucket
    ? [scope.bucket]
    : (await deploymentStub(env).listBuckets()).map((b) => b.name);
  for (const bucket of buckets) {
    if (!(await bucketInfo(env, bucket)))
      throw new AdminError(404, "NoSuchBucket", `Bucket ${bucket} does not exist.`);
    if (scope.key !== undefined) {
      for (const stored of await versionsOfKey(env, bucket, scope.key))
        record(await healVersion(env, stored, { dryRun: scope.dryRun }));
      continue;
    }
    let cursor: string | null = null;
    do {
      const page = await versionsPage(env, bucket, cursor, PAGE);
      for (const stored of page.versions)
        record(await healVersion(env, stored, { dryRun: scope.dryRun }));
      cursor = page.cursor;
    } while (cursor);
  }
  return summary;
}

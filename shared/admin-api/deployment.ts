/**
 * The admin API's answers about the deployment (docs/admin-api.md): info,
 * heal, rebuild and fault injection, as a client (the CLI) validates them
 * where they enter. Objects pass unknown fields through so a newer server
 * does not break an older client, and `--json` prints what the server
 * said.
 */
import { z } from "zod";

export const driveInfoSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  usedBytes: z.number(),
  shardBlocks: z.number(),
  versions: z.number(),
});

export const setInfoSchema = z.looseObject({
  id: z.string(),
  dataShards: z.number(),
  parityShards: z.number(),
  readQuorum: z.number(),
  writeQuorum: z.number(),
  onlineDrives: z.number(),
  drives: z.array(driveInfoSchema),
});

export const deploymentInfoSchema = z.looseObject({
  deploymentId: z.string(),
  region: z.string(),
  faultInjection: z.boolean(),
  buckets: z.number(),
  pools: z.array(z.looseObject({ index: z.number(), sets: z.array(setInfoSchema) })),
});

export type DeploymentInfo = z.infer<typeof deploymentInfoSchema>;

const healedSchema = z.looseObject({
  bucket: z.string(),
  key: z.string(),
  versionId: z.string(),
  shardsRebuilt: z.number(),
  copiesRebuilt: z.number(),
});

const incompleteSchema = z.looseObject({
  bucket: z.string(),
  key: z.string(),
  versionId: z.string(),
  offlineDrives: z.number(),
  unrecoverableBlocks: z.number(),
});

export const healSummarySchema = z.looseObject({
  versionsChecked: z.number(),
  versionsHealed: z.number(),
  shardsRebuilt: z.number(),
  copiesRebuilt: z.number(),
  unrecoverableBlocks: z.number(),
  healed: z.array(healedSchema),
  incomplete: z.array(incompleteSchema),
});

export type HealSummary = z.infer<typeof healSummarySchema>;

export const faultResultSchema = z.looseObject({
  drive: z.string(),
  fault: z.string(),
  affected: z.number(),
});

export const rebuildReportSchema = z.looseObject({
  bucket: z.string(),
  coordinator: z.string(),
  config: z.string(),
  versions: z.number(),
  deleteMarkers: z.number(),
  toHeal: z.number(),
  belowQuorum: z.number(),
  inlineLost: z.number(),
  unreadable: z.number(),
  offlineDrives: z.array(z.string()),
  resyncStarted: z.array(z.string()).default([]),
  finished: z.boolean(),
});

export type RebuildReport = z.infer<typeof rebuildReportSchema>;

export const rebuildSummarySchema = z.looseObject({
  rebuilt: z.array(rebuildReportSchema),
  healthy: z.array(z.string()),
  unregistered: z.array(z.string()),
  reregistered: z.array(z.string()).default([]),
  finished: z.boolean(),
});

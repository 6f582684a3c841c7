/**
 * `floe stat`: an object's details (size, ETag, version id, content type,
 * user metadata, tags, checksums, replication status, storage class, object
 * lock), a bucket's (versioning), or a local file's. JSON fields: type,
 * key, path, size, lastModified, etag, versionId, contentType, metadata,
 * tags, checksums, replicationStatus, storageClass, objectLock; for a
 * bucket: type "bucket", bucket, path, versioning.
 */
import type { HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import type { Command } from "@commander-js/extra-typings";
import { stat } from "node:fs/promises";
import { tagsRecord } from "../core/attributes.ts";
import { contextOf, type Context } from "../core/context.ts";
import { humanBytes, humanTime, table } from "../core/format.ts";
import { withExamples } from "../core/help.ts";
import { folderPrefix, remotePath, type RemoteLocation } from "../core/location.ts";
import { bareEtag } from "../storage/entries.ts";
import { headObject } from "../storage/head.ts";
import { listObjects } from "../storage/list-remote.ts";
import { readTags } from "../storage/transfer.ts";
import { versioningStatus } from "../storage/versioning.ts";

/** Registers `stat`. */
export function registerStat(program: Command): void {
  withExamples(
    program
      .command("stat")
      .description("show details of objects, buckets or files")
      .argument("<targets...>", "ALIAS/BUCKET[/KEY] or local path")
      .option("--version-id <id>", "details of this version")
      .option("-r, --recursive", "every object under the path")
      .action(async (targets, options, command) => {
        const ctx = contextOf(command);
        for (const raw of targets) {
          const location = ctx.location(raw);
          if (location.kind === "local") {
            const info = await stat(location.path);
            const type = info.isDirectory() ? "folder" : "file";
            ctx.output.result(
              {
                type,
                path: location.path,
                size: info.size,
                lastModified: info.mtime.toISOString(),
              },
              table([
                ["Name      :", location.path],
                ["Date      :", humanTime(info.mtime)],
                ["Size      :", `${humanBytes(info.size)} (${info.size} bytes)`],
                ["Type      :", type],
              ]),
            );
          } else if (location.bucket === "" || (location.key === "" && !options.recursive)) {
            await statBucket(ctx, location);
          } else if (options.recursive) {
            const prefix = folderPrefix(location.key);
            const client = ctx.s3(location.alias);
            for await (const item of listObjects(client, location.bucket, prefix, {
              recursive: true,
              signal: ctx.signal,
            })) {
              if (item.type === "object") await statObject(ctx, location, item.entry.key);
            }
          } else {
            await statObject(ctx, location, location.key, options.versionId);
          }
        }
      }),
    "floe stat local/photos/holiday.jpg",
    "floe stat --version-id 3f2a... local/backups/db.sql",
    "floe stat local/photos",
    "floe stat --json local/photos/holiday.jpg",
  );
}

async function statBucket(ctx: Context, location: RemoteLocation): Promise<void> {
  const client = ctx.s3(location.alias);
  const versioning = await versioningStatus(client, location.bucket, ctx.signal);
  const path = remotePath(location.alias, location.bucket);
  ctx.output.result(
    { type: "bucket", bucket: location.bucket, path, versioning },
    table([
      ["Name       :", location.bucket],
      ["Type       :", "bucket"],
      ["Versioning :", versioning],
    ]),
  );
}

async function statObject(
  ctx: Context,
  location: RemoteLocation,
  key: string,
  versionId?: string,
): Promise<void> {
  const client = ctx.s3(location.alias);
  const path = remotePath(location.alias, location.bucket, key);
  const target = { bucket: location.bucket, key, versionId };
  const head = await headObject(client, target, path, ctx.signal);
  const tags =
    (head.TagCount ?? 1) > 0
      ? tagsRecord(
          await readTags({ kind: "remote", alias: location.alias, client, ...target }, ctx.signal),
        )
      : {};
  const checksums = checksumsOf(head);
  const objectLock =
    head.ObjectLockMode || head.ObjectLockLegalHoldStatus
      ? {
          mode: head.ObjectLockMode,
          retainUntil: head.ObjectLockRetainUntilDate?.toISOString(),
          legalHold: head.ObjectLockLegalHoldStatus,
        }
      : undefined;
  const record = {
    type: "file",
    key,
    path,
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified?.toISOString(),
    etag: bareEtag(head.ETag),
    versionId: head.VersionId,
    contentType: head.ContentType,
    metadata: head.Metadata ?? {},
    tags,
    checksums,
    replicationStatus: head.ReplicationStatus,
    storageClass: head.StorageClass ?? "STANDARD",
    objectLock,
  };
  const rows: string[][] = [
    ["Name", key],
    ["Date", head.LastModified ? humanTime(head.LastModified) : ""],
    ["Size", `${humanBytes(record.size)} (${record.size} bytes)`],
    ["ETag", record.etag ?? ""],
  ];
  if (head.VersionId) rows.push(["VersionID", head.VersionId]);
  rows.push(["Type", "file"], ["Content-Type", head.ContentType ?? ""]);
  rows.push(["Storage class", record.storageClass]);
  if (head.ReplicationStatus) rows.push(["Replication", head.ReplicationStatus]);
  for (const [name, value] of Object.entries(checksums)) rows.push([`Checksum ${name}`, value]);
  if (objectLock) {
    const until = objectLock.retainUntil ? ` until ${objectLock.retainUntil}` : "";
    rows.push([
      "Object lock",
      `${objectLock.mode ?? "none"}${until}, legal hold ${objectLock.legalHold ?? "OFF"}`,
    ]);
  }
  for (const [name, value] of Object.entries(record.metadata))
    rows.push([`Metadata ${name}`, value]);
  for (const [name, value] of Object.entries(tags)) rows.push([`Tag ${name}`, value]);
  ctx.output.result(
    record,
    table(rows.map(([name, value]) => [`${name}`.padEnd(14) + ":", value ?? ""])),
  );
}

function checksumsOf(head: HeadObjectCommandOutput): Record<string, string> {
  const all: Record<string, string | undefined> = {
    CRC32: head.ChecksumCRC32,
    CRC32C: head.ChecksumCRC32C,
    CRC64NVME: head.ChecksumCRC64NVME,
    SHA1: head.ChecksumSHA1,
    SHA256: head.ChecksumSHA256,
  };
  return Object.fromEntries(
    Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

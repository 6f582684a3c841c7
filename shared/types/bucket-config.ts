/**
 * A bucket's configuration as the drives keep a copy of it: the coordinator's
 * settings (versioning, object lock, lifecycle, policy, tags, replication),
 * each as the coordinator stores it. With the version records on the drives
 * it is what a lost coordinator is rebuilt from; `version` grows with every
 * change, so a drive keeps only the newest copy it was sent.
 */
import { z } from "zod";

export const bucketConfigCopySchema = z.object({
  format: z.literal(1),
  name: z.string(),
  createdAt: z.number(),
  owner: z.string(),
  versioning: z.enum(["", "Enabled", "Suspended"]),
  versioningExcludes: z.string().nullable(),
  objectLock: z.string().nullable(),
  lifecycle: z.string().nullable(),
  policy: z.string().nullable(),
  tags: z.string().nullable(),
  replication: z.string().nullable(),
  replicationTargets: z.string().nullable(),
});
export type BucketConfigCopy = z.infer<typeof bucketConfigCopySchema>;

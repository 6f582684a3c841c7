/**
 * Writes that travel together: the entries of a replica batch store their
 * record copies with one call per drive and commit with one call to the
 * coordinator, instead of one call each. Each entry keeps its own outcome:
 * its own quorum count, its own commit result.
 *
 * The protocol: every entry of the group either parks (waits for its
 * copies or its commit to go out) or leaves (it is done, or failed before
 * writing). As soon as every entry still in the group is parked, all parked
 * calls go out at once: the copies grouped by drive (a drive stores its
 * group in one transaction, so a drive that fails fails the group's copies
 * on that drive only), the commits in one call whose results come back in
 * order. An entry that never parks again must leave, or the others wait.
 */
import type { CommitRequest, CommitResult } from "../../../shared/types/bucket-rpc.ts";
import type { VersionCopyWrite } from "../../../shared/types/drive-rpc.ts";
import { bucketStub, type DriveStub } from "../stubs.ts";

/** One drive's copy for one entry: where it goes and what it is. */
export interface CopyOnDrive {
  /** Names the drive: its set and index. */
  drive: string;
  stub: DriveStub;
  copy: VersionCopyWrite;
}

interface ParkedCopies {
  copies: CopyOnDrive[];
  done(stored: boolean[]): void;
}

interface ParkedCommit {
  env: Env;
  bucket: string;
  request: CommitRequest;
  done(result: CommitResult): void;
  failed(error: unknown): void;
}

export class WriteBatch {
  private active: number;
  private copies: ParkedCopies[] = [];
  private commits: ParkedCommit[] = [];

  constructor(entries: number) {
    this.active = entries;
  }

  /** The entry will not park again. */
  leave(): void {
    this.active--;
    this.flushWhenAllParked();
  }

  /** Stores the entry's copies; true for each that its drive stored. */
  storeCopies(copies: CopyOnDrive[]): Promise<boolean[]> {
    return new Promise((done) => {
      this.copies.push({ copies, done });
      this.flushWhenAllParked();
    });
  }

  /** Commits the entry's version in the coordinator. */
  commit(env: Env, bucket: string, request: CommitRequest): Promise<CommitResult> {
    return new Promise((done, failed) => {
      this.commits.push({ env, bucket, request, done, failed });
      this.flushWhenAllParked();
    });
  }

  private flushWhenAllParked(): void {
    const parked = this.copies.length + this.commits.length;
    if (parked === 0 || parked < this.active) return;
    const copies = this.copies;
    const commits = this.commits;
    this.copies = [];
    this.commits = [];
    if (copies.length > 0) void flushCopies(copies);
    if (commits.length > 0) void flushCommits(commits);
  }
}

async function flushCopies(parked: ParkedCopies[]): Promise<void> {
  const byDrive = new Map<string, { stub: DriveStub; copies: VersionCopyWrite[] }>();
  for (const entry of parked)
    for (const { drive, stub, copy } of entry.copies) {
      const group = byDrive.get(drive) ?? { stub, copies: [] };
      group.copies.push(copy);
      byDrive.set(drive, group);
    }
  const stored = new Map<string, boolean>();
  await Promise.all(
    [...byDrive].map(async ([drive, group]) => {
      try {
        await group.stub.putVersionCopies(group.copies);
        stored.set(drive, true);
      } catch {
        stored.set(drive, false);
      }
    }),
  );
  for (const entry of parked)
    entry.done(entry.copies.map(({ drive }) => stored.get(drive) === true));
}

async function flushCommits(parked: ParkedCommit[]): Promise<void> {
  const byBucket = new Map<string, ParkedCommit[]>();
  for (const entry of parked)
    byBucket.set(entry.bucket, [...(byBucket.get(entry.bucket) ?? []), entry]);
  await Promise.all(
    [...byBucket].map(async ([bucket, entries]) => {
      try {
        const first = entries[0];
        const results = await bucketStub(first.env, bucket).commitVersions(
          entries.map((entry) => entry.request),
        );
        entries.forEach((entry, i) => {
          const result = results[i];
          if (result) entry.done(result);
          else entry.failed(new Error("the coordinator answered fewer commits than were sent"));
        });
      } catch (error) {
        for (const entry of entries) entry.failed(error);
      }
    }),
  );
}

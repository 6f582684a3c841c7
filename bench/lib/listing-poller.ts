/**
 * Bench plumbing for seeing versions arrive on a replication target by
 * listing it: one ListObjectVersions request at a time, under `prefix`,
 * from the highest key below which everything watched has arrived, paged
 * until past the highest key still watched, then again `intervalMs` after
 * that pass began. Unlike a HEAD per version (arrival-poller.ts), its cost
 * does not grow with the number of versions in flight, so a backlog on the
 * target does not slow the measurement of that backlog: with hundreds of
 * versions outstanding on a saturated machine, HEAD polling found arrivals
 * no faster than its HEADs could go round, and reported that as lag.
 *
 * An arrival is timed at the response of the page that showed it; the
 * version arrived after the previous pass that missed it began, so
 * `windowMs` is how precisely the arrival is known (as in arrival-poller.ts).
 * Keys are expected to be written once each (the lag load's are).
 */
import { ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Arrival } from "./arrival-poller.ts";

interface Watched {
  /** performance.now() when the last pass that missed it began (or of the watch). */
  lastMiss: number;
  passes: number;
  found(arrival: Arrival): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Listing-based arrival detection in one bucket of a target site. */
export class ListingPoller {
  /** List requests sent. */
  requests = 0;
  /** List requests that failed. */
  errors = 0;
  /** Every list request's round trip, in ms. */
  readonly roundTrips: number[] = [];
  /** Watched versions by key, then version id. */
  private readonly watched = new Map<string, Map<string, Watched>>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    readonly intervalMs: number,
  ) {
    this.loop = this.run();
  }

  /** Resolves when a listing shows `key` at `versionId`. */
  watch(key: string, versionId: string): Promise<Arrival> {
    return new Promise((found) => {
      const versions = this.watched.get(key) ?? new Map<string, Watched>();
      versions.set(versionId, { lastMiss: performance.now(), passes: 0, found });
      this.watched.set(key, versions);
    });
  }

  /** Versions not found yet. */
  get outstanding(): number {
    let n = 0;
    for (const versions of this.watched.values()) n += versions.size;
    return n;
  }

  /** Stops listing; versions still watched never resolve. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.watched.clear();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const began = performance.now();
      if (this.watched.size > 0) await this.pass(began);
      await sleep(this.intervalMs - (performance.now() - began));
    }
  }

  /** One pass over the watched key range. */
  private async pass(began: number): Promise<void> {
    const keys = [...this.watched.keys()].sort();
    const lowest = keys[0];
    const highest = keys[keys.length - 1];
    // Everything below the lowest watched key has arrived: start just before it.
    let keyMarker: string | undefined = lowest.slice(0, -1) || undefined;
    let versionIdMarker: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const sent = performance.now();
      this.requests++;
      let page;
      try {
        page = await this.s3.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
            MaxKeys: 1000,
          }),
        );
      } catch {
        this.errors++;
        return;
      }
      const at = performance.now();
      this.roundTrips.push(at - sent);
      for (const version of page.Versions ?? []) {
        if (!version.Key || !version.VersionId) continue;
        seen.add(`${version.Key}\n${version.VersionId}`);
        const versions = this.watched.get(version.Key);
        const entry = versions?.get(version.VersionId);
        if (!versions || !entry) continue;
        versions.delete(version.VersionId);
        if (versions.size === 0) this.watched.delete(version.Key);
        entry.found({ at, windowMs: at - entry.lastMiss, polls: entry.passes + 1 });
      }
      const last = page.NextKeyMarker;
      if (!page.IsTruncated || !last || last > highest) break;
      keyMarker = last;
      versionIdMarker = page.NextVersionIdMarker;
    }
    for (const [key, versions] of this.watched) {
      if (key > highest) continue;
      for (const [versionId, entry] of versions) {
        if (seen.has(`${key}\n${versionId}`) || entry.lastMiss >= began) continue;
        entry.passes++;
        entry.lastMiss = began;
      }
    }
  }
}

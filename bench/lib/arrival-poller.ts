/**
 * Bench plumbing for seeing versions arrive on a replication target: each
 * watched key/version is polled with HEAD ?versionId on the target until it
 * answers 200, no more often than every `intervalMs` per version and with
 * at most `concurrency` HEADs in flight in all, so polling stays a bounded
 * load on the site being measured.
 *
 * An arrival is timed at the response of the HEAD that found it (an upper
 * bound); the version arrived after the previous HEAD that missed it was
 * sent, so `windowMs` (hit response − previous miss sent) is how precisely
 * the arrival is known: the polling granularity.
 */
import { HeadObjectCommand, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";

/** When a watched version was found. */
export interface Arrival {
  /** performance.now() at the response of the HEAD that found it. */
  at: number;
  /** How precisely the arrival is known (see the module header), in ms. */
  windowMs: number;
  /** HEADs sent for it, the hit included. */
  polls: number;
}

interface Watched {
  key: string;
  versionId: string;
  /** performance.now() of the previous miss's send (or of the watch). */
  lastSent: number;
  nextAt: number;
  polls: number;
  busy: boolean;
  found(arrival: Arrival): void;
}

const PUMP_MS = 5;

/** HEAD polling of one bucket on a target site. */
export class ArrivalPoller {
  /** HEADs sent. */
  heads = 0;
  /** HEADs that failed other than with a 404 (counted as misses). */
  errors = 0;
  /** Every HEAD's round trip, in ms. */
  readonly roundTrips: number[] = [];
  private readonly watched = new Set<Watched>();
  private inFlight = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    readonly intervalMs: number,
    readonly concurrency: number,
  ) {
    this.timer = setInterval(() => this.pump(), PUMP_MS);
  }

  /** Resolves when `key` at `versionId` answers a HEAD; the first HEAD goes out at once. */
  watch(key: string, versionId: string): Promise<Arrival> {
    return new Promise((found) => {
      const now = performance.now();
      this.watched.add({
        key,
        versionId,
        lastSent: now,
        nextAt: now,
        polls: 0,
        busy: false,
        found,
      });
      this.pump();
    });
  }

  /** Stops polling; versions still watched never resolve. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.watched.clear();
  }

  /** Versions not found yet. */
  get outstanding(): number {
    return this.watched.size;
  }

  private pump(): void {
    const now = performance.now();
    // Insertion order: the oldest watched versions are polled first.
    for (const entry of this.watched) {
      if (this.inFlight >= this.concurrency) return;
      if (entry.busy || entry.nextAt > now) continue;
      void this.poll(entry);
    }
  }

  private async poll(entry: Watched): Promise<void> {
    entry.busy = true;
    this.inFlight++;
    this.heads++;
    entry.polls++;
    const sent = performance.now();
    const hit = await this.head(entry.key, entry.versionId);
    const at = performance.now();
    this.roundTrips.push(at - sent);
    this.inFlight--;
    entry.busy = false;
    if (hit) {
      this.watched.delete(entry);
      entry.found({ at, windowMs: at - entry.lastSent, polls: entry.polls });
    } else {
      entry.lastSent = sent;
      entry.nextAt = sent + this.intervalMs;
    }
    this.pump();
  }

  private async head(key: string, versionId: string): Promise<boolean> {
    try {
      await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404))
        this.errors++;
      return false;
    }
  }
}

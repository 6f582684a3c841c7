/**
 * What a resync group's versions look like on the target, in one request:
 * the target's digest route (lines of full version states, as verify reads
 * them) over the key span from the group's first key to its last. A resync
 * skips a version whose state there equals its state here, and sends the
 * others without asking again, instead of one HEAD per version. When the
 * span holds more versions than one page, or the target does not answer,
 * the versions fall back to the HEAD check (null).
 */
import { linePageSchema, stateOf } from "../../../shared/replication/digest.ts";
import type { StoredVersion } from "../../../shared/types/bucket-rpc.ts";
import { serializeRecord } from "../../../shared/types/version-record.ts";
import { remoteGet } from "../verify/verify.ts";
import { differingFields } from "../verify/verify-fields.ts";
import type { PeerTarget } from "../targets/peer-fetch.ts";

/** Most versions one span request returns (the route's page limit). */
const SPAN_LIMIT = 5000;

/** The target's states of every version of the keys from `first` to `last`, by key and version id. */
export type RemoteStates = Map<string, ReturnType<typeof stateOf>>;

const id = (key: string, versionId: string) => `${key}\n${versionId}`;

/** Reads the target's versions of keys `first` to `last` (both included); null when it cannot. */
export async function remoteStates(
  target: PeerTarget,
  first: string,
  last: string,
): Promise<RemoteStates | null> {
  // `afterVersion` "" takes every version of `first` itself.
  const query = new URLSearchParams({
    lines: "true",
    after: first,
    afterVersion: "",
    until: last,
    limit: String(SPAN_LIMIT),
  });
  try {
    const page = await remoteGet(target, query, linePageSchema);
    if (page.next !== null) return null;
    return new Map(page.versions.map(({ key, ...state }) => [id(key, state.versionId), state]));
  } catch {
    return null;
  }
}

/** True when the target holds this version exactly as it would be sent. */
export function heldAlike(
  states: RemoteStates,
  version: StoredVersion,
  storageClass: string | null,
): boolean {
  const { record } = version;
  const there = states.get(id(record.key, record.versionId));
  if (!there) return false;
  const here = stateOf(record.versionId, serializeRecord(record), storageClass);
  return differingFields(here, there).length === 0;
}

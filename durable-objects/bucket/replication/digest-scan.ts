/**
 * The coordinator's side of `replicate verify`: it reads its versions in
 * (key, version id) order within a scope and summarises them as the
 * digest protocol both sites share says (shared/replication/digest.ts).
 */
import {
  digestRows,
  lineRows,
  type DigestPage,
  type DigestRow,
  type DigestScope,
  type LinePage,
  recordStateSchema,
} from "../../../shared/replication/digest.ts";
import { StoredFormat } from "../../stored-json.ts";
import { versionAt } from "../schema.ts";

/** versions.record as the digest reads it (stored-formats.ts has the whole record's format). */
const RECORD_STATE = StoredFormat.of(recordStateSchema);

function scan(
  sql: SqlStorage,
  scope: DigestScope,
  afterVersion: string | null,
): Iterable<DigestRow> {
  // Keys after `after` (or from the prefix on), in the index's order, bounded above by `until`.
  const after = scope.after ?? scope.prefix;
  const strict = scope.after !== null;
  const bounded = scope.until !== null;
  const rows = sql.exec<DigestRow>(
    `SELECT key, version_id, record FROM versions
     WHERE key >= ? AND (? = 0 OR key > ? OR (key = ? AND ? IS NOT NULL AND version_id > ?))
       AND substr(key, 1, ?) = ?${bounded ? " AND key <= ?" : ""}
     ORDER BY key, version_id`,
    after,
    strict ? 1 : 0,
    after,
    after,
    afterVersion,
    afterVersion ?? "",
    scope.prefix.length,
    scope.prefix,
    ...(bounded ? [scope.until] : []),
  );
  return checked(rows);
}

/** The rows as they are read, each record checked against what its state is made of. */
function* checked(rows: Iterable<DigestRow>): Iterable<DigestRow> {
  for (const row of rows) {
    RECORD_STATE.read(row.record, versionAt(row.key, row.version_id, "record"));
    yield row;
  }
}

/** One page of range digests (see the module header). */
export function digestPage(sql: SqlStorage, scope: DigestScope, limit: number): DigestPage {
  return digestRows(scan(sql, scope, null), scope.storageClass, limit);
}

/** Full states of up to `limit` versions after (after, afterVersion), up to `until`. */
export function linePage(
  sql: SqlStorage,
  scope: DigestScope,
  afterVersion: string | null,
  limit: number,
): LinePage {
  return lineRows(scan(sql, scope, afterVersion), scope.storageClass, limit);
}

/**
 * JSON columns read back from a Durable Object's SQLite. Every read goes
 * through a `StoredFormat`: the zod schema of the format written today and,
 * as Garage migrates its stored structs, the formats written before it,
 * each with the step that turns it into its successor. A row is tried
 * against the newest format first, then each older one in turn, so rows
 * written by any released version still parse. A column that matches no
 * format is corruption: `StoredRowError` names the table, the row's key and
 * the column, and nothing falls back to a default.
 *
 * To change a format: add the new schema with `.previous(oldFormat, step)`
 * and bump its version; never edit a released schema.
 */
import type { z } from "zod";

/** A JSON column that matches none of its formats. */
export class StoredRowError extends Error {
  constructor(
    readonly table: string,
    readonly key: string,
    readonly column: string,
    detail: string,
  ) {
    super(`${table} row ${JSON.stringify(key)}: column ${column} is not valid: ${detail}`);
    this.name = "StoredRowError";
  }
}

/** Where a column was read from, for the error that names it. */
export interface ColumnAt {
  table: string;
  key: string;
  column: string;
}

export class StoredFormat<T> {
  private constructor(
    /** Increases by one with every change of the format. */
    readonly version: number,
    private readonly schema: z.ZodType<T>,
    private readonly older: ((value: unknown) => { ok: true; value: T } | { ok: false }) | null,
  ) {}

  /** The first format of a column. */
  static of<T>(schema: z.ZodType<T>): StoredFormat<T> {
    return new StoredFormat<T>(1, schema, null);
  }

  /** A new format of a column that was written as `previous`, migrated by `step`. */
  static after<P, T>(
    previous: StoredFormat<P>,
    schema: z.ZodType<T>,
    step: (old: P) => T,
  ): StoredFormat<T> {
    return new StoredFormat<T>(previous.version + 1, schema, (value) => {
      const old = previous.tryParse(value);
      return old.ok ? { ok: true, value: step(old.value) } : { ok: false };
    });
  }

  private tryParse(value: unknown): { ok: true; value: T } | { ok: false } {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    return this.older ? this.older(value) : { ok: false };
  }

  /** Parses a column's text; throws `StoredRowError` naming where it came from. */
  read(text: string, at: ColumnAt): T {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new StoredRowError(at.table, at.key, at.column, "not JSON");
    }
    const parsed = this.tryParse(value);
    if (parsed.ok) return parsed.value;
    const issue = this.schema.safeParse(value).error?.issues[0];
    const detail = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "no format";
    throw new StoredRowError(at.table, at.key, at.column, detail);
  }

  /** As `read`, with SQL NULL read as null. */
  readNullable(text: string | null, at: ColumnAt): T | null {
    return text === null ? null : this.read(text, at);
  }
}

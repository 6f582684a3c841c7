/**
 * Append-only SQLite schema migrations for Durable Objects. Each object keeps
 * the number of migrations applied in `_migrations`; new ones run in order
 * inside one transaction at construction. Never edit or reorder a released
 * migration: add a new one.
 */

/** Applies the not-yet-applied migrations in one transaction. */
export function applyMigrations(
  storage: DurableObjectStorage,
  migrations: readonly string[],
): void {
  storage.transactionSync(() => {
    storage.sql.exec("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER NOT NULL)");
    const row = storage.sql
      .exec<{ version: number }>("SELECT version FROM _migrations")
      .toArray()[0];
    const applied = row?.version ?? 0;
    for (let i = applied; i < migrations.length; i++) storage.sql.exec(migrations[i]);
    if (!row) storage.sql.exec("INSERT INTO _migrations (version) VALUES (?)", migrations.length);
    else if (applied < migrations.length) {
      storage.sql.exec("UPDATE _migrations SET version = ?", migrations.length);
    }
  });
}

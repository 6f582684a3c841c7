/**
 * IAM schema: users, groups and their members, named policies and their
 * attachments, service accounts. Secret keys are stored sealed
 * (shared/crypto/secret-box.ts), never in plain text.
 */
export const IAM_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     access_key TEXT PRIMARY KEY,
     secret TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE groups (
     name TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE group_members (
     group_name TEXT NOT NULL,
     access_key TEXT NOT NULL,
     PRIMARY KEY (group_name, access_key)
   );
   CREATE INDEX group_members_by_user ON group_members (access_key);
   CREATE TABLE policies (
     name TEXT PRIMARY KEY,
     document TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE policy_attachments (
     policy TEXT NOT NULL,
     kind TEXT NOT NULL,
     target TEXT NOT NULL,
     PRIMARY KEY (policy, kind, target)
   );
   CREATE INDEX policy_attachments_by_target ON policy_attachments (kind, target);
   CREATE TABLE service_accounts (
     access_key TEXT PRIMARY KEY,
     secret TEXT NOT NULL,
     parent TEXT NOT NULL,
     status TEXT NOT NULL,
     policy TEXT,
     name TEXT,
     description TEXT,
     expiration INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX service_accounts_by_parent ON service_accounts (parent);`,
  // Who disabled a service account: only an administrator may undo another's disabling.
  `ALTER TABLE service_accounts ADD COLUMN disabled_by TEXT;`,
];

import AugStoreCatalog
import AugStoreMigrations
import PostgresNIO

/// Brings a PostgreSQL catalog's schema up to date, under the SQLite catalog's rules: files not yet
/// applied are applied in order, each in its own transaction; a catalog that has applied a file this
/// binary does not know was written by a newer augstore and is refused before anything changes.
///
/// Hosts that open one catalog at the same time take a transaction-scoped advisory lock, so exactly
/// one of them applies a file and the others find it applied.
package enum PostgresSchema {
  /// The advisory lock key of schema changes ("augstore" in ASCII).
  static let lockKey: Int64 = 0x6175_6773_746F_7265

  /// Applies the schema files `session`'s database lacks; returns the schema version it is at.
  ///
  /// - Throws: `CatalogError.schemaTooNew` for a newer catalog, `CatalogError.database` for what the
  ///   server refuses.
  @discardableResult
  package static func migrate(
    _ session: PostgresSession, migrations: [SchemaMigration] = PostgresSchemaMigrations.all
  ) throws -> Int {
    try session.transaction {
      // The lock first: concurrent `CREATE TABLE IF NOT EXISTS` can collide in PostgreSQL.
      try session.query("SELECT pg_advisory_xact_lock(\(lockKey))")
      try session.query(
        """
        CREATE TABLE IF NOT EXISTS augstore_migrations (
          identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """)
      let applied = Set(
        try session.query("SELECT identifier FROM augstore_migrations").map { try $0.decode(String.self) })
      let known = Set(migrations.map(\.identifier))
      let unknown = applied.subtracting(known)
      if !unknown.isEmpty {
        let newest = unknown.compactMap { Int($0.drop { !$0.isNumber }.prefix { $0.isNumber }) }.max() ?? 0
        throw CatalogError.schemaTooNew(
          path: session.endpoint.description, catalogVersion: newest,
          supportedVersion: migrations.last?.version ?? 0)
      }
      for migration in migrations where !applied.contains(migration.identifier) {
        try session.execute(script: migration.sql)
        try session.query("INSERT INTO augstore_migrations (identifier) VALUES (\(migration.identifier))")
      }
      return migrations.last?.version ?? 0
    }
  }
}

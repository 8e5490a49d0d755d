import AugStoreMigrations
import Foundation
import GRDB

/// The store's SQLite catalog: datasets, versions, samples and (later) runs and records.
///
/// The catalog runs in WAL mode with a busy timeout, so several processes can read and write one
/// store at once: writers queue behind each other instead of failing with "database is locked".
/// Opening a catalog applies the schema files it lacks; a catalog written by a newer augstore is
/// refused before anything is changed.
public final class Catalog: Sendable {
  /// The catalog file's path.
  public let path: String
  let pool: DatabasePool

  /// How long a writer waits for another process's transaction before giving up.
  public static let busyTimeout: TimeInterval = 120

  /// Opens (creating if needed) the catalog at `path` and brings its schema up to date.
  ///
  /// - Throws: `CatalogError.schemaTooNew` if the file was written by a newer augstore,
  ///   `CatalogError.database` if SQLite cannot open it (not a database, unreadable, …).
  public convenience init(path: String) throws {
    try self.init(path: path, readOnly: false)
  }

  /// Opens the catalog at `path` for reading only: nothing is created, migrated or written, and
  /// every write is refused by SQLite. The catalog must be at this binary's schema version.
  ///
  /// - Throws: `CatalogError.schemaTooNew` for a newer catalog, `.database` for an older one (a
  ///   writing command migrates it), a missing file or one SQLite cannot open.
  public convenience init(readingOnly path: String) throws {
    try self.init(path: path, readOnly: true)
  }

  private init(path: String, readOnly: Bool) throws {
    self.path = path
    try Self.checkSchemaIsKnown(path: path)
    var configuration = Configuration()
    configuration.readonly = readOnly
    configuration.busyMode = .timeout(Self.busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.label = "augstore.catalog"
    configuration.prepareDatabase { db in
      // WAL with FULL sync: a committed transaction survives a power loss, not only a crash.
      if !readOnly { try db.execute(sql: "PRAGMA synchronous = FULL") }
      // Reads through a memory map instead of one pread copy per page: a sample's history reads one
      // ~33 KB record block per epoch (2.9 MB over 90 epochs), and the copies were half of its time
      // (9.1 → 7.0 ms median on a 1,281,167-sample run). The limit is SQLite's default maximum.
      try db.execute(sql: "PRAGMA mmap_size = 2147418112")
      // augstore_record, augstore_params_json, …: used by the record views (schema 3).
      RecordSQLFunctions.register(on: db)
    }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
    if readOnly {
      let applied = try read { db in try Self.appliedVersions(db).max() ?? 0 }
      guard applied == SchemaMigrations.latestVersion else {
        throw CatalogError.database(
          path: path,
          message:
            "schema version \(applied), this augstore reads \(SchemaMigrations.latestVersion) (any writing command migrates it)"
        )
      }
    } else {
      try migrate()
    }
  }

  /// The schema version the catalog is at (the number of its newest applied schema file).
  public func schemaVersion() throws -> Int {
    try read { db in try Self.appliedVersions(db).max() ?? 0 }
  }

  /// Runs `body` in a read transaction, turning SQLite errors into `CatalogError.database`.
  package func read<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.read(body)
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
  }

  /// Runs `body` in an immediate write transaction, turning SQLite errors into
  /// `CatalogError.database`. The transaction rolls back if `body` throws.
  package func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.write(body)
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
  }
}

extension Catalog {
  /// The registered migrations, one per schema file.
  package static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in SchemaMigrations.all {
      migrator.registerMigration(migration.identifier) { db in
        try db.execute(sql: migration.sql)
      }
    }
    return migrator
  }

  /// Schema versions recorded in the catalog, known to this binary or not.
  static func appliedVersions(_ db: Database) throws -> [Int] {
    guard try db.tableExists("grdb_migrations") else { return [] }
    return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
      .map { identifier in Int(identifier.prefix { $0.isNumber }) ?? Int.max }
  }

  /// Refuses a catalog written by a newer augstore, reading it through a read-only connection
  /// so that such a file is never written to.
  private static func checkSchemaIsKnown(path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { return }
    let known = Set(SchemaMigrations.all.map(\.identifier))
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(busyTimeout)
    let (applied, unknown): ([Int], Bool)
    do {
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      (applied, unknown) = try queue.read { db -> ([Int], Bool) in
        guard try db.tableExists("grdb_migrations") else { return ([], false) }
        let identifiers = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        return (try appliedVersions(db), identifiers.contains { !known.contains($0) })
      }
      try queue.close()
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
    if unknown {
      throw CatalogError.schemaTooNew(
        path: path, catalogVersion: applied.max() ?? 0,
        supportedVersion: SchemaMigrations.latestVersion)
    }
  }

  private func migrate() throws {
    do {
      try Self.migrator.migrate(pool)
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
  }
}

extension Catalog {
  /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound file, otherwise the problems found.
  public func integrityCheck() throws -> [String] {
    try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }

  /// Every stored object, by hash.
  public func allObjects() throws -> [StoredObject] {
    try read { db in try StoredObject.order(Column("hash")).fetchAll(db) }
  }
}

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
  /// A pool of connections, or one read-only connection (``init(path:readOnly:)``).
  let pool: any DatabaseWriter

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
    try self.init(path: path, readOnly: true, migrating: false)
  }

  /// Opens the catalog at `path`; with `readOnly`, through one read-only connection when its schema
  /// is up to date (otherwise it is opened for writing and brought up to date first).
  ///
  /// A read-only catalog answers queries without touching the file: opening a pool writes to a
  /// catalog whose write-ahead log is empty, and closing it checkpoints, each with its `fsync`s.
  /// Writes through a read-only catalog fail with `CatalogError.database`.
  ///
  /// - Throws: `CatalogError.schemaTooNew` if the file was written by a newer augstore,
  ///   `CatalogError.database` if SQLite cannot open it (not a database, unreadable, …).
  public convenience init(path: String, readOnly: Bool) throws {
    try self.init(path: path, readOnly: readOnly, migrating: true)
  }

  /// Opens the catalog; with `readOnly` and not `migrating`, a catalog that is missing or not at this
  /// binary's schema version is refused instead of being created or migrated.
  private init(path: String, readOnly: Bool, migrating: Bool) throws {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(Self.busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.label = "augstore.catalog"
    configuration.prepareDatabase { db in
      // WAL with FULL sync: a committed transaction survives a power loss, not only a crash.
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // Reads through a memory map instead of one pread copy per page: a sample's history reads one
      // record block per epoch, and the copies were half of its time. The limit is SQLite's default
      // maximum.
      try db.execute(sql: "PRAGMA mmap_size = 2147418112")
      // augstore_record, augstore_params_json, …: used by the record views (schema 3).
      RecordSQLFunctions.register(on: db)
    }
    var readOnlyConfiguration = configuration
    readOnlyConfiguration.readonly = true
    let (applied, probe) = try Self.checkSchemaIsKnown(path: path, configuration: readOnlyConfiguration)
    let upToDate = applied == Set(SchemaMigrations.all.map(\.identifier))
    if readOnly, upToDate, let probe {
      pool = probe
      return
    }
    if readOnly, !migrating {
      try probe?.close()
      guard probe != nil else { throw CatalogError.database(path: path, message: "no catalog file") }
      let version = applied.compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0
      throw CatalogError.database(
        path: path,
        message:
          "schema version \(version), this augstore reads \(SchemaMigrations.latestVersion) (any writing command migrates it)"
      )
    }
    do {
      try probe?.close()
      let writer = try DatabasePool(path: path, configuration: configuration)
      // GRDB's WAL set-up switches the writer to `synchronous = NORMAL` after `prepareDatabase` ran;
      // FULL again, so that a committed transaction survives a power loss too.
      try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
      pool = writer
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
    if !upToDate { try migrate() }
  }

  /// The schema version the catalog is at (the number of its newest applied schema file).
  public func schemaVersion() throws -> Int {
    try read { db in try Self.appliedVersions(db).max() ?? 0 }
  }

  /// Runs `body` in a read transaction, turning SQLite errors into `CatalogError.database` (with the
  /// system error when the file system refused a read).
  package func read<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.read { db in
        do {
          return try body(db)
        } catch let error as DatabaseError {
          throw databaseError(error, db, threadErrno: errno)
        }
      }
    } catch let error as DatabaseError {
      throw databaseError(error, nil, threadErrno: errno)
    }
  }

  /// Runs `body` in an immediate write transaction, turning SQLite errors into
  /// `CatalogError.database` (with the system error when the file system refused a write: "No space
  /// left on device", "File too large"). The transaction rolls back if `body` throws.
  package func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        do {
          var result: T?
          try db.inTransaction {
            result = try body(db)
            return .commit
          }
          guard let result else { throw CatalogError.database(path: path, message: "no result") }
          return result
        } catch let error as DatabaseError {
          throw databaseError(error, db, threadErrno: errno)
        }
      }
    } catch let error as DatabaseError {
      throw databaseError(error, nil, threadErrno: errno)
    }
  }

  /// `error` as `CatalogError.database`: SQLite's message, followed by the system error when SQLite
  /// failed because a system call did (SQLite's own text is only "disk I/O error" or "database or disk
  /// is full"). `db` is the connection that failed, when known; `threadErrno` the thread's `errno`
  /// read right after the failure.
  func databaseError(_ error: DatabaseError, _ db: Database?, threadErrno: Int32) -> CatalogError {
    let message = error.message ?? "\(error)"
    guard
      let system = SystemError.describe(error, connection: db?.sqliteConnection, threadErrno: threadErrno)
    else {
      return .database(path: path, message: message)
    }
    return .database(path: path, message: "\(message) (\(system))")
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
    guard try hasMigrationsTable(db) else { return [] }
    return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
      .map { identifier in Int(identifier.prefix { $0.isNumber }) ?? Int.max }
  }

  /// Whether the catalog has the table of applied schema files, asked of `sqlite_master` directly:
  /// `Database.tableExists` first loads the whole schema, which every read-only command paid for.
  static func hasMigrationsTable(_ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations')"
    )
      ?? false
  }

  /// Refuses a catalog written by a newer augstore, reading it through a read-only connection
  /// (`configuration`) so that such a file is never written to.
  ///
  /// - Returns: the identifiers of the schema files applied, and the open read-only connection
  ///   (none for a new file).
  private static func checkSchemaIsKnown(
    path: String, configuration: Configuration
  ) throws -> (Set<String>, DatabaseQueue?) {
    guard FileManager.default.fileExists(atPath: path) else { return ([], nil) }
    let known = Set(SchemaMigrations.all.map(\.identifier))
    let (queue, applied, identifiers): (DatabaseQueue, [Int], Set<String>)
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      (applied, identifiers) = try queue.read { db -> ([Int], Set<String>) in
        guard try hasMigrationsTable(db) else { return ([], []) }
        let identifiers = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        return (try appliedVersions(db), Set(identifiers))
      }
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
    if !identifiers.isSubset(of: known) {
      try? queue.close()
      throw CatalogError.schemaTooNew(
        path: path, catalogVersion: applied.max() ?? 0,
        supportedVersion: SchemaMigrations.latestVersion)
    }
    return (identifiers, queue)
  }

  private func migrate() throws {
    do {
      try Self.migrator.migrate(pool)
    } catch let error as DatabaseError {
      // The migrator's connection is the pool's writer: it still holds the system error.
      let threadErrno = errno
      let system = pool.writeWithoutTransaction { db in
        SystemError.describe(error, connection: db.sqliteConnection, threadErrno: threadErrno)
      }
      let message = error.message ?? "\(error)"
      throw CatalogError.database(path: path, message: system.map { "\(message) (\($0))" } ?? message)
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

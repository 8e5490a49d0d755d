import AugStoreCatalog
import AugStoreMigrations
import Foundation
import PostgresNIO

/// A store's catalog in a PostgreSQL database: what ``Catalog`` keeps in a SQLite file, shared by
/// every host that runs augstore against the same store.
///
/// The tables are SQLite schema 9's (`Migrations/PostgreSQL`), so a catalog copies between the two
/// engines table by table. Reads run in `REPEATABLE READ READ ONLY` transactions and see one
/// consistent state. Writes run in transactions that first take one transaction-scoped advisory
/// lock (``writeLockKey``): writers queue behind each other exactly as they do on a SQLite file, and
/// every rule the SQLite catalog keeps inside a write transaction ("a version number is the next
/// one", "first digest wins") holds unchanged with many hosts.
///
/// Invariant: a session is used by one call at a time; the catalog keeps idle sessions for reuse
/// and opens another when all are busy (a reader nested in another's body, a second thread). A
/// session that saw an error is closed rather than reused, so a server restart costs one failed
/// call, not a broken catalog.
public final class PostgresCatalog: CatalogBackend, @unchecked Sendable {
  /// The server and database.
  public let endpoint: PostgresEndpoint
  /// The password (from `PGPASSWORD` or the password file), if any.
  let password: String?
  /// Sessions not in use; guarded by `lock`.
  private var idle: [PostgresSession] = []
  private let lock = NSLock()

  /// The advisory lock every write transaction takes ("augwrite" in ASCII).
  static let writeLockKey: Int64 = 0x6175_6777_7269_7465

  /// The URL without its password.
  public var location: String { endpoint.description }

  /// Connects to the catalog at `endpoint` and brings its schema up to date.
  ///
  /// - Throws: `CatalogError.schemaTooNew` for a catalog written by a newer augstore,
  ///   `CatalogError.database` when the server is unreachable, refuses the password or lacks the
  ///   database.
  public init(endpoint: PostgresEndpoint, password: String?) throws {
    self.endpoint = endpoint
    self.password = password
    let session = try PostgresSession(endpoint: endpoint, password: password)
    try PostgresSchema.migrate(session)
    idle = [session]
  }

  /// Connects to the catalog at `endpoint` without changing its schema: a catalog that is not at
  /// this binary's schema version is refused (a writing command migrates it).
  ///
  /// - Throws: `CatalogError.schemaTooNew` for a newer catalog, `CatalogError.database` for an
  ///   older or empty one and for connection failures.
  public init(readingOnly endpoint: PostgresEndpoint, password: String?) throws {
    self.endpoint = endpoint
    self.password = password
    let session = try PostgresSession(endpoint: endpoint, password: password)
    let latest = PostgresSchemaMigrations.latestVersion
    let exists = try session.query("SELECT to_regclass('augstore_migrations') IS NOT NULL").first?.decode(
      Bool.self)
    let applied =
      exists == true
      ? try session.query("SELECT identifier FROM augstore_migrations").map { try $0.decode(String.self) }
      : []
    let version = applied.compactMap { Int($0.drop { !$0.isNumber }.prefix { $0.isNumber }) }.max() ?? 0
    if version > latest {
      throw CatalogError.schemaTooNew(
        path: endpoint.description, catalogVersion: version, supportedVersion: latest)
    }
    if version < latest {
      throw CatalogError.database(
        path: endpoint.description,
        message:
          version == 0
          ? "no augstore catalog in this database (augstore init --catalog creates one)"
          : "schema version \(version), this augstore reads \(latest) (any writing command migrates it)")
    }
    idle = [session]
  }

  /// Connects to the catalog at `endpoint` with the password from `environment`
  /// (``PostgresEndpoint/password(environment:)``); with `readingOnly`, without changing its schema.
  public convenience init(
    endpoint: PostgresEndpoint, environment: [String: String], readingOnly: Bool = false
  ) throws {
    let password = endpoint.password(environment: environment)
    if readingOnly {
      try self.init(readingOnly: endpoint, password: password)
    } else {
      try self.init(endpoint: endpoint, password: password)
    }
  }

  /// The schema version the catalog is at.
  public func schemaVersion() throws -> Int {
    try read { session in
      let identifiers = try session.query("SELECT identifier FROM augstore_migrations").map {
        try $0.decode(String.self)
      }
      return identifiers.compactMap { Int($0.drop { !$0.isNumber }.prefix { $0.isNumber }) }.max() ?? 0
    }
  }

  // MARK: Sessions and transactions

  /// Runs `body` with a session of its own: an idle one, or a new connection.
  func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
    let reused: PostgresSession? = lock.withLock { idle.popLast() }
    let session = try reused ?? PostgresSession(endpoint: endpoint, password: password)
    // When `body` throws, the connection may be gone (server restarted) or mid-transaction: it is
    // not put back.
    let result = try body(session)
    lock.withLock { idle.append(session) }
    return result
  }

  /// Runs `body`, which reads with exactly one statement, outside an explicit transaction: one
  /// statement sees one consistent state by itself, and the call costs one round trip instead of
  /// three (BEGIN, the statement, COMMIT). A body with more statements uses ``read(_:)``.
  package func readStatement<T>(_ body: (PostgresSession) throws -> T) throws -> T {
    try withSession(body)
  }

  /// Runs `body` in a read-only transaction that sees one consistent state of the catalog.
  package func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
    try withSession { session in
      try session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
      do {
        let result = try body(session)
        try session.query("COMMIT")
        return result
      } catch {
        _ = try? session.query("ROLLBACK")
        throw error
      }
    }
  }

  /// Runs `body` in a write transaction that holds the catalog's write lock: committed when `body`
  /// returns, rolled back (changing nothing) when it throws.
  package func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
    try withSession { session in
      try session.transaction {
        try session.query("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
        return try body(session)
      }
    }
  }
}

import AugStoreCatalog
import AugStorePostgres
import Foundation
import PostgresNIO

/// The engines a catalog runs on, for tests parametrized over both.
public enum CatalogEngine: String, CaseIterable, Sendable, CustomStringConvertible {
  /// A SQLite file (``Catalog``).
  case sqlite
  /// A database on the PostgreSQL test server (``PostgresCatalog``).
  case postgresql

  /// The engine's name.
  public var description: String { rawValue }
}

/// A new, empty catalog for one test: a SQLite file in a temporary folder, or a database of its own
/// on the PostgreSQL test server (``PostgresTestServer``), dropped when the value is released.
public final class ScratchCatalog: @unchecked Sendable {
  /// The catalog.
  public let catalog: any CatalogBackend
  /// The engine.
  public let engine: CatalogEngine
  /// The catalog's URL: `sqlite:PATH` or `postgresql://USER@HOST:PORT/DB`.
  public let url: String
  /// The environment that authenticates to the server (empty for SQLite).
  public let environment: [String: String]
  /// The folder holding the SQLite file (and anything else the test writes).
  public let folder: TemporaryDirectory
  private let admin: PostgresSession?
  private let database: String?

  /// Creates an empty catalog on `engine`.
  public init(_ engine: CatalogEngine) throws {
    self.engine = engine
    folder = try TemporaryDirectory("augstore-catalog")
    switch engine {
    case .sqlite:
      let path = folder.appending("catalog.sqlite")
      catalog = try Catalog(path: path)
      url = "sqlite:" + path
      environment = [:]
      admin = nil
      database = nil
    case .postgresql:
      let (endpoint, password, session, name, environment) = try Self.scratchDatabase()
      admin = session
      database = name
      self.environment = environment
      url = endpoint.description
      catalog = try PostgresCatalog(endpoint: endpoint, password: password)
    }
  }

  /// A new, empty database on the test server: its endpoint, password, an administrative session
  /// on the server's own database, its name and the environment that authenticates to it.
  package static func scratchDatabase() throws -> (
    PostgresEndpoint, String?, PostgresSession, String, [String: String]
  ) {
    let server = try PostgresTestServer.shared.get()
    guard case .postgresql(let base) = try CatalogURL(parsing: server.url) else {
      throw PostgresTestServerError(message: "not a PostgreSQL URL: \(server.url)")
    }
    let password = base.password(environment: server.environment)
    let admin = try PostgresSession(endpoint: base, password: password)
    let name = "t_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
    try admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
    let endpoint = PostgresEndpoint(user: base.user, host: base.host, port: base.port, database: name)
    return (endpoint, password, admin, name, server.environment)
  }

  deinit {
    if let admin, let database {
      _ = try? admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
    }
  }
}

/// A new, empty database on the PostgreSQL test server for one test (no augstore tables yet: a
/// store created with `init --catalog url` makes them), dropped when the value is released.
public final class ScratchDatabase: @unchecked Sendable {
  /// `postgresql://USER@HOST:PORT/DB`.
  public let url: String
  /// The environment that authenticates to the server (`PGPASSFILE` or `PGPASSWORD`).
  public let environment: [String: String]
  /// The database's name.
  public let name: String
  private let admin: PostgresSession

  /// Creates the database.
  public init() throws {
    let (endpoint, _, admin, name, environment) = try ScratchCatalog.scratchDatabase()
    url = endpoint.description
    self.environment = environment
    self.name = name
    self.admin = admin
  }

  /// The number of rows of `table` in the database.
  public func count(_ table: String) throws -> Int {
    try session().query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).first?.decode(Int.self)
      ?? 0
  }

  /// Runs `sql` (one or more statements, each ending a line with `;`) in the database.
  public func execute(_ sql: String) throws {
    try session().execute(script: sql)
  }

  private func session() throws -> PostgresSession {
    let endpoint = try Self.endpoint(url)
    return try PostgresSession(endpoint: endpoint, password: endpoint.password(environment: environment))
  }

  static func endpoint(_ url: String) throws -> PostgresEndpoint {
    guard case .postgresql(let endpoint) = try CatalogURL(parsing: url) else {
      throw PostgresTestServerError(message: "not a PostgreSQL URL: \(url)")
    }
    return endpoint
  }

  deinit {
    _ = try? admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
  }
}

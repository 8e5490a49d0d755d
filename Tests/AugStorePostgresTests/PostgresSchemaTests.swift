import AugStoreCatalog
import AugStoreMigrations
import AugStoreTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import AugStorePostgres

/// The schema and connection layer of the PostgreSQL catalog, against a real PostgreSQL server
/// (``PostgresTestServer``): each test works in a database of its own.
@Suite("PostgreSQL catalog: connection and schema")
struct PostgresSchemaTests {
  /// A fresh database on the test server, dropped when the test ends.
  final class ScratchDatabase {
    let endpoint: PostgresEndpoint
    let password: String?
    let admin: PostgresSession

    init() throws {
      let server = try PostgresTestServer.shared.get()
      guard case .postgresql(let base) = try CatalogURL(parsing: server.url) else {
        throw PostgresTestServerError(message: "not a PostgreSQL URL: \(server.url)")
      }
      password = base.password(environment: server.environment)
      admin = try PostgresSession(endpoint: base, password: password)
      let name = "t_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
      try admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
      endpoint = PostgresEndpoint(user: base.user, host: base.host, port: base.port, database: name)
    }

    func session() throws -> PostgresSession {
      try PostgresSession(endpoint: endpoint, password: password)
    }

    deinit {
      _ = try? admin.query(
        PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(endpoint.database) WITH (FORCE)"))
    }
  }

  @Test func migratingCreatesEveryTableOnceAndAgainChangesNothing() throws {
    let scratch = try ScratchDatabase()
    let session = try scratch.session()
    #expect(try PostgresSchema.migrate(session) == PostgresSchemaMigrations.latestVersion)
    let tables = try session.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
    ).map { try $0.decode(String.self) }
    #expect(
      tables == [
        "augstore_migrations", "cache_counters", "cache_entries", "dataset_versions", "datasets", "epochs",
        "objects", "pipelines", "record_blocks", "runs", "samples", "tags", "tensors",
      ])
    try session.query("INSERT INTO datasets (name, created_at) VALUES ('kept', 'now')")
    #expect(try PostgresSchema.migrate(try scratch.session()) == PostgresSchemaMigrations.latestVersion)
    let names = try session.query("SELECT name FROM datasets").map { try $0.decode(String.self) }
    #expect(names == ["kept"])
    let applied = try session.query("SELECT count(*) FROM augstore_migrations").map {
      try $0.decode(Int.self)
    }
    #expect(applied == [PostgresSchemaMigrations.all.count])
  }

  @Test func hostsMigratingAtOnceApplyEachFileOnce() async throws {
    let scratch = try ScratchDatabase()
    let sessions = try (0..<4).map { _ in try scratch.session() }
    try await withThrowingTaskGroup(of: Int.self) { group in
      for session in sessions {
        group.addTask { try PostgresSchema.migrate(session) }
      }
      for try await version in group { #expect(version == PostgresSchemaMigrations.latestVersion) }
    }
    let applied = try sessions[0].query("SELECT count(*) FROM augstore_migrations").map {
      try $0.decode(Int.self)
    }
    #expect(applied == [PostgresSchemaMigrations.all.count])
  }

  @Test func aCatalogFromANewerAugstoreIsRefusedUntouched() throws {
    let scratch = try ScratchDatabase()
    let session = try scratch.session()
    try PostgresSchema.migrate(session)
    try session.query("INSERT INTO augstore_migrations (identifier) VALUES ('pg0099_future')")
    let next = PostgresSchemaMigrations.latestVersion + 1
    let extra = SchemaMigration(
      version: next, identifier: "pg_extra_\(next)", sql: "CREATE TABLE extra (x INTEGER);")
    #expect(
      throws: CatalogError.schemaTooNew(
        path: scratch.endpoint.description, catalogVersion: 99, supportedVersion: next)
    ) {
      try PostgresSchema.migrate(session, migrations: PostgresSchemaMigrations.all + [extra])
    }
    let extraTables = try session.query(
      "SELECT count(*) FROM information_schema.tables WHERE table_name = 'extra'"
    ).map { try $0.decode(Int.self) }
    #expect(extraTables == [0])
  }

  @Test func aWrongPasswordIsAOneLineErrorNamingTheURLWithoutThePassword() throws {
    let scratch = try ScratchDatabase()
    #expect {
      try PostgresSession(endpoint: scratch.endpoint, password: "not-the-password")
    } throws: { error in
      guard case .database(let path, let message) = error as? CatalogError else { return false }
      return path == scratch.endpoint.description && message.contains("password authentication failed")
        && !message.contains("\n") && !message.contains("not-the-password")
    }
  }

  @Test func aMissingDatabaseIsNamed() throws {
    let scratch = try ScratchDatabase()
    var missing = scratch.endpoint
    missing.database = "no_such_database_here"
    #expect {
      try PostgresSession(endpoint: missing, password: scratch.password)
    } throws: { error in
      guard case .database(let path, let message) = error as? CatalogError else { return false }
      return path == missing.description && message.contains("no_such_database_here")
    }
  }

  @Test func anUnreachableServerIsNamed() throws {
    // A port nothing listens on: bind one, note it, close it.
    let endpoint = PostgresEndpoint(
      user: "augstore", host: "127.0.0.1", port: try Self.closedPort(), database: "d")
    #expect {
      try PostgresSession(endpoint: endpoint, password: "x")
    } throws: { error in
      guard case .database(let path, let message) = error as? CatalogError else { return false }
      return path == endpoint.description && message.hasPrefix("cannot connect")
    }
  }

  static func closedPort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}

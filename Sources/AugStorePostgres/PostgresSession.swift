import AugStoreCatalog
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to a PostgreSQL server, used from synchronous code: every call blocks the calling
/// thread until the server has answered (the connection's I/O runs on NIO's shared event loops, never
/// on the caller's thread).
///
/// Errors become ``CatalogError/database(path:message:)`` naming the endpoint's URL (never the
/// password) and the server's own message.
///
/// Invariant: calls are serialized by the caller (a session is one connection; a catalog that
/// needs concurrency opens several sessions).
package final class PostgresSession: @unchecked Sendable {
  package let endpoint: PostgresEndpoint
  let connection: PostgresConnection
  let logger: Logger

  /// Connects to `endpoint` with `password` (see ``PostgresEndpoint/password(environment:)``).
  ///
  /// - Throws: `CatalogError.database` when the server is unreachable, refuses the password or has no
  ///   such database.
  package init(endpoint: PostgresEndpoint, password: String?) throws {
    self.endpoint = endpoint
    var logger = Logger(label: "augstore.postgres")
    logger.logLevel = .critical
    self.logger = logger
    let configuration = PostgresConnection.Configuration(
      host: endpoint.host, port: endpoint.port, username: endpoint.user, password: password,
      database: endpoint.database, tls: .disable)
    do {
      connection = try PostgresConnection.connect(
        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
      ).wait()
    } catch {
      throw Self.catalogError(error, endpoint: endpoint)
    }
  }

  deinit {
    // Waited for (postgres-nio requires a connection to be closed before it is released), at most
    // as long as any answer.
    _ = try? answer(connection.close())
  }

  /// How long a call waits for the server's answer before the connection is given up: 120 s, as long
  /// as a SQLite catalog's writer waits for another's transaction (``Catalog/busyTimeout``), or
  /// `AUGSTORE_POSTGRES_TIMEOUT` seconds.
  ///
  /// A server that restarts closes its connections, but a connection idle at that moment may not
  /// notice until its next statement, whose answer then never comes: the wait ends here instead,
  /// with an error naming the catalog.
  package static let answerTimeout: Double = {
    let text = ProcessInfo.processInfo.environment["AUGSTORE_POSTGRES_TIMEOUT"] ?? ""
    guard let seconds = Double(text), seconds > 0 else { return 120 }
    return seconds
  }()

  /// Runs one statement with bound values and returns every row.
  @discardableResult
  package func query(_ query: PostgresQuery) throws -> [PostgresRow] {
    do {
      return Array(try answer(connection.query(query, logger: logger)).rows)
    } catch let error as CatalogError {
      throw error
    } catch {
      throw Self.catalogError(error, endpoint: endpoint)
    }
  }

  /// The value of `future`, waited for at most ``answerTimeout``, with the server's error as it
  /// came (a timeout is a `CatalogError.database`, after which the connection is closed).
  package func answer<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
    let outcome = BlockingOutcome<Value>()
    future.whenComplete { result in outcome.finish(result) }
    return try wait(for: outcome).get()
  }

  /// `outcome`'s result, waited for at most ``answerTimeout``.
  private func wait<Value>(for outcome: BlockingOutcome<Value>) throws -> Result<Value, any Error> {
    guard let result = outcome.wait(seconds: Self.answerTimeout) else {
      let _: EventLoopFuture<Void> = connection.close()
      throw CatalogError.database(
        path: endpoint.description,
        message:
          "no answer from the server in \(Int(Self.answerTimeout)) s (the connection was lost, or the server is stuck)"
      )
    }
    return result
  }

  /// Runs `sql`, one or more statements separated by `;` at the ends of lines (a schema file), in
  /// order.
  package func execute(script sql: String) throws {
    for statement in Self.statements(of: sql) {
      try query(PostgresQuery(unsafeSQL: statement))
    }
  }

  /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
  package func transaction<T>(_ body: () throws -> T) throws -> T {
    try query("BEGIN")
    do {
      let result = try body()
      try query("COMMIT")
      return result
    } catch {
      _ = try? query("ROLLBACK")
      throw error
    }
  }

  /// The statements of a script: split after each `;` that ends a line, with `--` comment lines
  /// dropped.
  package static func statements(of sql: String) -> [String] {
    var statements: [String] = []
    var current: [Substring] = []
    for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("--") || trimmed.isEmpty { continue }
      current.append(line)
      if trimmed.hasSuffix(";") {
        statements.append(current.joined(separator: "\n"))
        current = []
      }
    }
    let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    if !rest.isEmpty { statements.append(rest) }
    return statements
  }

  /// `error` as a one-line `CatalogError.database` naming `endpoint`.
  static func catalogError(_ error: any Error, endpoint: PostgresEndpoint) -> CatalogError {
    guard let error = error as? PSQLError else {
      return .database(path: endpoint.description, message: "\(error)")
    }
    if error.code == .authMechanismRequiresPassword {
      return .database(
        path: endpoint.description,
        message: "the server asks for a password: set PGPASSWORD or add it to ~/.pgpass (or PGPASSFILE)")
    }
    if let message = error.serverInfo?[.message] {
      return .database(path: endpoint.description, message: message)
    }
    if let underlying = error.underlying {
      let text = (underlying as? any LocalizedError)?.errorDescription ?? "\(underlying)"
      return .database(path: endpoint.description, message: "cannot connect: \(text)")
    }
    return .database(path: endpoint.description, message: "\(error.code)")
  }
}

extension PostgresSession {
  /// Streams `data` (rows in PostgreSQL's text `COPY` format: tab-separated, `\N` for null, bytea as
  /// `\\x` + hex, one row per line) into `table`'s `columns` with `COPY … FROM STDIN`, inside the
  /// session's current transaction if one is open.
  ///
  /// Bulk loading: one round trip and no per-row statement, at hundreds of thousands of rows per
  /// second.
  package func copy(into table: String, columns: [String], data: ByteBuffer) throws {
    let connection = self.connection
    let logger = self.logger
    let outcome = BlockingOutcome<Void>()
    // Not on the cooperative pool: this thread may be one of its threads, blocked below.
    Task(executorPreference: BlockingCallExecutor.shared) {
      do {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
          try await writer.write(data)
        }
        outcome.finish(.success(()))
      } catch {
        outcome.finish(.failure(error))
      }
    }
    do {
      try wait(for: outcome).get()
    } catch let error as CatalogError {
      throw error
    } catch {
      throw Self.catalogError(error, endpoint: endpoint)
    }
  }
}

/// The result of async work that a synchronous caller waits for.
///
/// Invariant: `result` is written once, before `done` is signalled, and read only after the wait on
/// `done` succeeded.
private final class BlockingOutcome<Value>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Result<Value, any Error>?

  func finish(_ result: Result<Value, any Error>) {
    self.result = result
    done.signal()
  }

  /// The result, or `nil` if none came within `seconds`.
  func wait(seconds: Double) -> Result<Value, any Error>? {
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    return result
  }
}

import AugStoreCatalog
import Foundation
import NIOCore
import PostgresNIO

// `augstore sql` and `augstore check` on a PostgreSQL catalog.
extension PostgresCatalog {
  /// Consistency problems PostgreSQL's own constraints do not rule out: versions whose recorded
  /// sample count differs from the samples they hold (`["ok"]` when there are none).
  ///
  /// PostgreSQL checks keys, foreign keys and CHECK constraints on every write and has no
  /// counterpart of SQLite's `PRAGMA integrity_check` over its files; damaged storage shows as
  /// errors when it is read. This check reads every sample once.
  public func integrityCheck() throws -> [String] {
    try read { session in
      let problems = try session.query(
        """
        SELECT d.name, v.number, v.sample_count, coalesce(c.n, 0) FROM dataset_versions v
        JOIN datasets d ON d.id = v.dataset_id
        LEFT JOIN (SELECT version_id, count(*) AS n FROM samples GROUP BY version_id) c ON c.version_id = v.id
        WHERE v.sample_count <> coalesce(c.n, 0) ORDER BY d.name COLLATE "C", v.number
        """
      ).map { row in
        let (name, number, recorded, found) = try row.decode((String, Int, Int, Int).self)
        return "dataset \"\(name)\" v\(number): \(recorded) samples recorded, \(found) stored"
      }
      return problems.isEmpty ? ["ok"] : problems
    }
  }

  /// Runs one SQL statement in PostgreSQL's dialect in a read-only transaction on a connection of
  /// its own, and returns its rows.
  ///
  /// Only queries are accepted (`SELECT`, `WITH`, `VALUES`, `TABLE`, `EXPLAIN`, `SHOW`); anything
  /// else is refused before it runs, and the server refuses any write the statement attempts
  /// (`SET TRANSACTION READ ONLY`), so nothing changes. The connection is closed afterwards, so
  /// settings or locks the statement took do not outlive it. Values map by column type: integers
  /// and booleans (as 0 or 1) to ``QueryValue/integer(_:)``, floating-point and numeric to
  /// ``QueryValue/real(_:)``, `bytea` to ``QueryValue/blob(_:)``, timestamps to ISO 8601 text, and
  /// everything else to text where it decodes as a string (text, names, JSON, UUIDs), else to its
  /// binary value as a blob (cast in SQL, `x::text`, for text). The SQLite catalog's record views
  /// and `augstore_…` functions do not exist on PostgreSQL.
  ///
  /// - Throws: `CatalogError.readOnlySQL` for a refused statement, `.database` for SQL errors.
  public func query(readOnlySQL sql: String) throws -> QueryResult {
    let firstWord = sql.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }.uppercased()
    guard ["SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW"].contains(firstWord) else {
      throw CatalogError.readOnlySQL(statement: Self.summary(sql))
    }
    let session = try PostgresSession(endpoint: endpoint, password: password)
    try session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    let rows: [PostgresRow]
    do {
      rows = try session.answer(
        session.connection.query(PostgresQuery(unsafeSQL: sql), logger: session.logger)
      ).rows
    } catch let error as PSQLError {
      _ = try? session.query("ROLLBACK")
      switch error.serverInfo?[.sqlState] {
      case "25006":  // read_only_sql_transaction
        throw CatalogError.readOnlySQL(statement: Self.summary(sql))
      case "42601" where error.serverInfo?[.message]?.contains("multiple commands") == true:
        throw CatalogError.readOnlySQL(statement: "more than one statement; run one at a time")
      default:
        throw PostgresSession.catalogError(error, endpoint: endpoint)
      }
    } catch {
      throw PostgresSession.catalogError(error, endpoint: endpoint)
    }
    var columns = rows.first.map { $0.map(\.columnName) } ?? []
    if rows.isEmpty, firstWord != "EXPLAIN", firstWord != "SHOW" {
      columns = Self.columnNames(of: sql, session)
    }
    try session.query("COMMIT")
    return QueryResult(columns: columns, rows: rows.map { $0.map(Self.value) })
  }

  /// The column names of a query that returned no rows (PostgreSQL sends them with rows only):
  /// those of the one row of NULLs an outer join with the query yields; none if that fails.
  private static func columnNames(of sql: String, _ session: PostgresSession) -> [String] {
    var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
    while body.hasSuffix(";") {
      body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    _ = try? session.query("SAVEPOINT columns")
    guard
      let row = try? session.query(
        PostgresQuery(unsafeSQL: "SELECT q.* FROM (SELECT 1) one LEFT JOIN (\n\(body)\n) q ON true LIMIT 1")
      ).first
    else {
      _ = try? session.query("ROLLBACK TO SAVEPOINT columns")
      return []
    }
    return row.map(\.columnName)
  }

  /// A result cell as a query value, by its column's type.
  static func value(_ cell: PostgresCell) -> QueryValue {
    guard let bytes = cell.bytes else { return .null }
    switch cell.dataType {
    case .int2, .int4, .int8:
      return (try? cell.decode(Int64.self)).map(QueryValue.integer) ?? text(cell, bytes)
    case .oid where cell.format == .binary && bytes.readableBytes == 4:
      return bytes.getInteger(at: bytes.readerIndex, as: UInt32.self).map { .integer(Int64($0)) } ?? .null
    case .bool:
      return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? text(cell, bytes)
    case .float4, .float8:
      return (try? cell.decode(Double.self)).map(QueryValue.real) ?? text(cell, bytes)
    case .numeric:
      return (try? cell.decode(Decimal.self)).flatMap { Double("\($0)") }.map(QueryValue.real)
        ?? text(cell, bytes)
    case .bytea:
      return .blob(Array(bytes.readableBytesView))
    case .timestamptz, .timestamp:
      return (try? cell.decode(Date.self)).map { .text($0.formatted(.iso8601)) } ?? text(cell, bytes)
    default:
      return text(cell, bytes)
    }
  }

  /// A cell as text: decoded as a string where PostgreSQL's codec can (text, names, JSON, UUIDs),
  /// else its bytes when they are UTF-8, else its bytes as a blob.
  private static func text(_ cell: PostgresCell, _ bytes: ByteBuffer) -> QueryValue {
    if let string = try? cell.decode(String.self) { return .text(string) }
    let raw = Array(bytes.readableBytesView)
    if cell.format == .text, let string = String(validating: raw, as: UTF8.self) { return .text(string) }
    if cell.dataType == .json, let string = String(validating: raw, as: UTF8.self) { return .text(string) }
    return .blob(raw)
  }

  /// The statement's first line, shortened, for error messages (as on SQLite).
  private static func summary(_ sql: String) -> String {
    let line =
      sql.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init) ?? ""
    return line.count > 60 ? String(line.prefix(57)) + "..." : line
  }
}

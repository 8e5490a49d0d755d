import AugStoreTransforms
import Foundation
import GRDB
import GRDBSQLite

/// The SQL functions that make records readable from SQL, registered on every catalog connection
/// (and on `augstore sql`'s read-only connection).
///
/// - `augstore_record(params, i)`: the `i`-th ``SampleRecord`` encoding of a block's `params` blob.
/// - `augstore_u32(blob, i)`: the `i`-th little-endian `UInt32` of a blob; NULL past its end, for a
///   NULL blob, and for 0 in a `tensors` blob is returned as 0.
/// - `augstore_original(record)`: 1 if the record is an original, else 0.
/// - `augstore_record_json(record)`: the record as JSON (``SampleRecord/jsonString``).
/// - `augstore_params_json(record, t)`: transform `t`'s parameters as a JSON object with Keras'
///   names, `{}` for transforms without random parameters, NULL for originals.
///
/// Invalid bytes make the function raise an SQL error naming what is wrong.
public enum RecordSQLFunctions {
  /// Registers every function on `db`.
  public static func register(on db: Database) {
    let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
    sqlite3_create_function_v2(
      db.sqliteConnection, "augstore_record", 2, flags, nil, recordFunction, nil, nil, nil)
    sqlite3_create_function_v2(db.sqliteConnection, "augstore_u32", 2, flags, nil, u32Function, nil, nil, nil)
    db.add(function: original)
    db.add(function: recordJSON)
    db.add(function: paramsJSON)
  }

  static let original = DatabaseFunction("augstore_original", argumentCount: 1, pure: true) { values in
    guard let record = try decode(values[0]) else { return nil }
    return record.original ? 1 : 0
  }

  static let recordJSON = DatabaseFunction("augstore_record_json", argumentCount: 1, pure: true) { values in
    try decode(values[0])?.jsonString
  }

  static let paramsJSON = DatabaseFunction("augstore_params_json", argumentCount: 2, pure: true) { values in
    guard let record = try decode(values[0]), let index = Int.fromDatabaseValue(values[1]) else { return nil }
    guard !record.original, index >= 0, index < record.params.count else { return nil }
    return paramJSON(record.params[index])
  }

  /// One transform's parameters as a JSON object, as ``SampleRecord/jsonString`` writes them.
  public static func paramJSON(_ params: TransformParams) -> String {
    let text = SampleRecord(original: false, params: [params]).jsonString
    let prefix = "{\"original\":false,\"params\":["
    guard text.hasPrefix(prefix), text.hasSuffix("]}") else { return "{}" }
    return String(text.dropFirst(prefix.count).dropLast(2))
  }

  private static func decode(_ value: DatabaseValue) throws -> SampleRecord? {
    guard let data = Data.fromDatabaseValue(value) else { return nil }
    do {
      return try SampleRecord(encoded: [UInt8](data))
    } catch {
      throw DatabaseError(message: "augstore: invalid record: \(error.message)")
    }
  }
}

/// SQLite's `SQLITE_TRANSIENT`: copy the result before returning.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// `augstore_record(params, i)`, reading the blob in place.
private func recordFunction(
  _ context: OpaquePointer?, _ argc: Int32, _ argv: UnsafeMutablePointer<OpaquePointer?>?
) {
  guard let argv, let blob = argv[0], let indexValue = argv[1], sqlite3_value_type(blob) == SQLITE_BLOB else {
    sqlite3_result_null(context)
    return
  }
  let index = Int(sqlite3_value_int64(indexValue))
  let length = Int(sqlite3_value_bytes(blob))
  guard let base = sqlite3_value_blob(blob)?.assumingMemoryBound(to: UInt8.self) else {
    sqlite3_result_null(context)
    return
  }
  let bytes = UnsafeBufferPointer(start: base, count: length)
  do throws(SampleRecordDecodingError) {
    guard index >= 0 else { throw SampleRecordDecodingError(message: "negative record index") }
    var start = 0
    for _ in 0..<index { start = try RecordBlock.recordEnd(in: bytes, from: start) }
    let end = try RecordBlock.recordEnd(in: bytes, from: start)
    sqlite3_result_blob(context, base + start, Int32(end - start), transient)
  } catch {
    sqlite3_result_error(context, "augstore_record: \(error.message)", -1)
  }
}

/// `augstore_u32(blob, i)`.
private func u32Function(
  _ context: OpaquePointer?, _ argc: Int32, _ argv: UnsafeMutablePointer<OpaquePointer?>?
) {
  guard let argv, let blob = argv[0], let indexValue = argv[1], sqlite3_value_type(blob) == SQLITE_BLOB,
    let base = sqlite3_value_blob(blob)?.assumingMemoryBound(to: UInt8.self)
  else {
    sqlite3_result_null(context)
    return
  }
  let index = Int(sqlite3_value_int64(indexValue))
  let length = Int(sqlite3_value_bytes(blob))
  guard index >= 0, index * 4 + 4 <= length else {
    sqlite3_result_null(context)
    return
  }
  let offset = index * 4
  let value =
    UInt32(base[offset]) | UInt32(base[offset + 1]) << 8 | UInt32(base[offset + 2]) << 16
    | UInt32(base[offset + 3]) << 24
  sqlite3_result_int64(context, Int64(value))
}

/// A value in the result of a read-only query.
public enum QueryValue: Sendable, Equatable {
  /// SQL NULL.
  case null
  /// An integer.
  case integer(Int64)
  /// A floating-point number.
  case real(Double)
  /// Text.
  case text(String)
  /// A blob.
  case blob([UInt8])
}

/// The rows a read-only query returned.
public struct QueryResult: Sendable, Equatable {
  /// The result's column names.
  public var columns: [String]
  /// The rows, each with one value per column.
  public var rows: [[QueryValue]]

  /// A result of these columns and rows.
  public init(columns: [String], rows: [[QueryValue]]) {
    self.columns = columns
    self.rows = rows
  }
}

extension Catalog {
  /// Runs one SQL statement on a read-only connection to the catalog and returns its rows.
  ///
  /// The connection is opened read-only (`SQLITE_OPEN_READONLY`), with `PRAGMA query_only` and no
  /// database may be attached; the record functions (``RecordSQLFunctions``) are available.
  /// Statements that would write (`INSERT`, `UPDATE`, `DELETE`, `DROP`, `CREATE`, …), `ATTACH`,
  /// `DETACH` and pragmas that change settings are refused before anything runs.
  ///
  /// - Throws: `CatalogError.readOnlySQL` for a refused statement, `.database` for SQL errors.
  public func query(readOnlySQL sql: String) throws -> QueryResult {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(Self.busyTimeout)
    configuration.label = "augstore.sql"
    configuration.prepareDatabase { db in
      RecordSQLFunctions.register(on: db)
      sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, 0)
      try db.execute(sql: "PRAGMA query_only = ON")
    }
    let firstWord = sql.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }.uppercased()
    if [
      "ATTACH", "DETACH", "VACUUM", "REINDEX", "ANALYZE", "PRAGMA", "BEGIN", "COMMIT", "END", "ROLLBACK",
      "SAVEPOINT", "RELEASE",
    ].contains(firstWord) {
      throw CatalogError.readOnlySQL(statement: Self.summary(sql))
    }
    do {
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      defer { try? queue.close() }
      return try queue.read { db in
        let statements = try db.allStatements(sql: sql)
        guard let statement = try statements.next() else { return QueryResult(columns: [], rows: []) }
        guard try statements.next() == nil else {
          throw CatalogError.readOnlySQL(statement: "more than one statement; run one at a time")
        }
        guard statement.isReadonly else { throw CatalogError.readOnlySQL(statement: Self.summary(sql)) }
        let columns = statement.columnNames
        var rows: [[QueryValue]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
          rows.append(
            row.databaseValues.map { value in
              switch value.storage {
              case .null: .null
              case .int64(let number): .integer(number)
              case .double(let number): .real(number)
              case .string(let text): .text(text)
              case .blob(let data): .blob([UInt8](data))
              }
            })
        }
        return QueryResult(columns: columns, rows: rows)
      }
    } catch let error as DatabaseError {
      if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH
        || (error.message ?? "").contains("too many attached")
      {
        throw CatalogError.readOnlySQL(statement: Self.summary(sql))
      }
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
  }

  /// The statement's first line, shortened, for error messages.
  private static func summary(_ sql: String) -> String {
    let line =
      sql.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first.map(String.init) ?? ""
    return line.count > 60 ? String(line.prefix(57)) + "..." : line
  }
}

import AugStoreCatalog
import NIOCore
import PostgresNIO

extension PostgresCatalog: CatalogTableAccess {
  /// Key columns holding text: ordered by bytes (`COLLATE "C"`), as SQLite orders them.
  private static let textKeys: Set<String> = ["hash", "name"]

  package func readRows(
    of tables: [CatalogTable], _ body: (CatalogTable, [CatalogCell]) throws -> Void
  ) throws {
    try read { session in
      for table in tables {
        let key = table.key.map { Self.textKeys.contains($0) ? "\($0) COLLATE \"C\"" : $0 }
        try session.query(
          PostgresQuery(
            unsafeSQL: """
              DECLARE augstore_rows NO SCROLL CURSOR FOR SELECT \(table.columns.joined(separator: ", ")) \
              FROM \(table.name) ORDER BY \(key.joined(separator: ", "))
              """))
        while true {
          let rows = try session.query("FETCH 2000 FROM augstore_rows")
          if rows.isEmpty { break }
          for row in rows {
            try body(table, try row.map { cell in try Self.catalogCell(cell, table: table) })
          }
        }
        try session.query("CLOSE augstore_rows")
      }
    }
  }

  /// A cell of a row read from one of augstore's tables.
  private static func catalogCell(_ cell: PostgresCell, table: CatalogTable) throws -> CatalogCell {
    guard cell.bytes != nil else { return .null }
    switch cell.dataType {
    case .int2, .int4, .int8:
      return .integer(try cell.decode(Int64.self))
    case .bytea:
      let buffer = try cell.decode(ByteBuffer.self)
      return .blob(Array(buffer.readableBytesView))
    default:
      return .text(try cell.decode(String.self))
    }
  }

  package func loadRows(
    into tables: [CatalogTable], _ body: (_ load: (CatalogTable, [CatalogCell]) throws -> Void) throws -> Void
  ) throws {
    try write { session in
      for table in tables where CatalogTables.seeded.contains(table.name) {
        try session.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table.name)"))
      }
      var rows = PostgresCopyText(capacity: 1 << 22)
      var current: CatalogTable?
      // Record blocks gain the column only this engine has, `starts` (schema pg0002), computed from
      // each row's `params`.
      var paramsColumn: Int?
      func flush() throws {
        guard let table = current, !rows.isEmpty else { return }
        let columns = table.columns + (paramsColumn == nil ? [] : ["starts"])
        try session.copy(into: table.name, columns: columns, data: rows.take())
      }
      try body { table, cells in
        if current != table {
          try flush()
          current = table
          paramsColumn = table.name == "record_blocks" ? table.columns.firstIndex(of: "params") : nil
        }
        for cell in cells {
          switch cell {
          case .null: rows.null()
          case .integer(let integer): rows.integer(integer)
          case .text(let text): rows.text(text)
          case .blob(let bytes): rows.bytea(bytes)
          }
        }
        if let paramsColumn {
          if case .blob(let params) = cells[paramsColumn], let starts = Self.recordStarts(params) {
            rows.bytea(starts)
          } else {
            rows.null()
          }
        }
        rows.endRow()
        if rows.buffer.readableBytes >= 1 << 22 { try flush() }
      }
      try flush()
      for table in tables {
        guard let identity = table.identity else { continue }
        try session.query(
          PostgresQuery(
            unsafeSQL: """
              SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), \
              coalesce(max(\(identity)), 0) + 1, false) FROM \(table.name)
              """))
      }
    }
    // Every table was just bulk-loaded: plan the next reads for the rows it holds now.
    try refreshStatistics(of: tables.map(\.name))
  }

  package func rowCounts(of tables: [CatalogTable]) throws -> [String: Int] {
    try read { session in
      var counts: [String: Int] = [:]
      for table in tables {
        counts[table.name] =
          try session.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)")).first?.decode(
            Int.self) ?? 0
      }
      return counts
    }
  }
}

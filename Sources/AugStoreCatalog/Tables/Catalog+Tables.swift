import Foundation
import GRDB

extension Catalog: CatalogTableAccess {
  package func readRows(
    of tables: [CatalogTable], _ body: (CatalogTable, [CatalogCell]) throws -> Void
  ) throws {
    try read { db in
      for table in tables {
        let columns = table.columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let key = table.key.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM \(table.name) ORDER BY \(key)")
        var cells: [CatalogCell] = []
        cells.reserveCapacity(table.columns.count)
        while let row = try rows.next() {
          cells.removeAll(keepingCapacity: true)
          for index in 0..<table.columns.count {
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .null: cells.append(.null)
            case .int64(let integer): cells.append(.integer(integer))
            case .double(let double):
              throw CatalogError.database(
                path: path,
                message: "\(table.name): unexpected real value \(double) in \(table.columns[index])")
            case .string(let text): cells.append(.text(text))
            case .blob(let data): cells.append(.blob([UInt8](data)))
            }
          }
          try body(table, cells)
        }
      }
    }
  }

  package func loadRows(
    into tables: [CatalogTable], _ body: (_ load: (CatalogTable, [CatalogCell]) throws -> Void) throws -> Void
  ) throws {
    try write { db in
      var statements: [String: Statement] = [:]
      for table in tables {
        if CatalogTables.seeded.contains(table.name) { try db.execute(sql: "DELETE FROM \(table.name)") }
        let columns = table.columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        statements[table.name] = try db.makeStatement(
          sql: "INSERT INTO \(table.name) (\(columns)) VALUES (\(marks))")
      }
      try body { table, cells in
        guard let statement = statements[table.name] else { return }
        let values: [(any DatabaseValueConvertible)?] = cells.map { cell in
          switch cell {
          case .null: nil
          case .integer(let integer): integer
          case .text(let text): text
          case .blob(let bytes): Data(bytes)
          }
        }
        try statement.execute(arguments: StatementArguments(values))
      }
    }
  }

  package func rowCounts(of tables: [CatalogTable]) throws -> [String: Int] {
    try read { db in
      var counts: [String: Int] = [:]
      for table in tables {
        counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
      }
      return counts
    }
  }
}

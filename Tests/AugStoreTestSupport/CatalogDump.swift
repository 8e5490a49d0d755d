import GRDB

/// The logical content of a catalog: every table's schema and rows, as text.
///
/// Two dumps are equal when the catalogs hold the same data, whatever SQLite did to the pages.
public enum CatalogDump {
  /// Reads every table of the SQLite file at `path` through a read-only connection.
  public static func dump(_ path: String) throws -> [String] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    return try queue.read { db in
      var lines: [String] = []
      let tables = try Row.fetchAll(
        db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
      for table in tables {
        let name: String = table["name"]
        lines.append(table["sql"] ?? name)
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier)") {
          lines.append(row.description)
        }
      }
      return lines
    }
  }
}

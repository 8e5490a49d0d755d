import Foundation

/// One value of one row, as both catalog engines store it: every column of augstore's tables is an
/// integer, a text, a blob or null.
package enum CatalogCell: Hashable, Sendable {
  case null
  case integer(Int64)
  case text(String)
  case blob([UInt8])
}

/// One table of the catalog, as `catalog copy` moves it between engines.
package struct CatalogTable: Sendable, Equatable {
  /// The table's name (the same on both engines).
  package let name: String
  /// Its columns, in the order rows list their cells.
  package let columns: [String]
  /// The columns that order its rows uniquely (its key), so both engines list rows alike.
  package let key: [String]
  /// The column whose next value the engine generates (`INTEGER PRIMARY KEY` / identity), if any.
  package let identity: String?
}

/// The catalog's tables, parents before the children that refer to them.
///
/// Both engines' schemas (`Migrations/SQL` up to the SQLite schema this list was written for, and
/// `Migrations/PostgreSQL`) have exactly these tables and columns; `CatalogTablesTests` checks it on
/// new catalogs of both engines.
package enum CatalogTables {
  package static let all: [CatalogTable] = [
    CatalogTable(
      name: "objects",
      columns: ["hash", "size", "width", "height", "channels", "created_at", "format", "orientation"],
      key: ["hash"], identity: nil),
    CatalogTable(name: "datasets", columns: ["id", "name", "created_at"], key: ["id"], identity: "id"),
    CatalogTable(
      name: "dataset_versions",
      columns: [
        "id", "dataset_id", "number", "message", "sample_count", "total_bytes", "content_digest",
        "created_at",
      ],
      key: ["id"], identity: "id"),
    CatalogTable(
      name: "samples", columns: ["version_id", "position", "path", "object_hash", "label"],
      key: ["version_id", "position"], identity: nil),
    CatalogTable(
      name: "tags", columns: ["dataset_id", "name", "version_id", "created_at"], key: ["dataset_id", "name"],
      identity: nil),
    CatalogTable(
      name: "pipelines", columns: ["id", "name", "version", "fingerprint", "spec", "created_at"], key: ["id"],
      identity: "id"),
    CatalogTable(
      name: "runs",
      columns: [
        "id", "name", "dataset_version_id", "pipeline_id", "seed", "shuffle", "draw_scheme", "created_at",
        "decoder", "batch_size", "kernels",
      ],
      key: ["id"], identity: "id"),
    CatalogTable(name: "tensors", columns: ["id", "digest"], key: ["id"], identity: "id"),
    CatalogTable(
      name: "epochs",
      columns: ["run_id", "epoch", "sample_count", "original_count", "record_encoding", "recorded_at"],
      key: ["run_id", "epoch"], identity: nil),
    CatalogTable(
      name: "record_blocks",
      columns: ["id", "run_id", "epoch", "block", "count", "positions", "tensors", "params"], key: ["id"],
      identity: "id"),
    CatalogTable(name: "cache_counters", columns: ["name", "value"], key: ["name"], identity: nil),
    CatalogTable(
      name: "cache_entries", columns: ["key", "digest", "size", "created_at", "last_used_at"], key: ["key"],
      identity: nil),
  ]

  /// Tables a new catalog fills by itself (the cache counters, at zero): replaced, not appended to,
  /// when a catalog is copied in.
  package static let seeded: Set<String> = ["cache_counters"]
}

/// A catalog whose tables can be read and loaded row by row (`catalog copy`).
package protocol CatalogTableAccess: CatalogBackend {
  /// Calls `body` with every row of `tables`, table by table in the given order and rows in key
  /// order, all read from one consistent state of the catalog.
  func readRows(of tables: [CatalogTable], _ body: (CatalogTable, [CatalogCell]) throws -> Void) throws

  /// Runs `body` in one write transaction whose `load` calls append rows to tables (in `tables`'
  /// order, parents first); seeded tables (``CatalogTables/seeded``) are emptied first. Nothing is
  /// kept if `body` throws. Generated ids continue after the largest id loaded.
  func loadRows(
    into tables: [CatalogTable], _ body: (_ load: (CatalogTable, [CatalogCell]) throws -> Void) throws -> Void
  ) throws

  /// The number of rows in each of `tables`.
  func rowCounts(of tables: [CatalogTable]) throws -> [String: Int]
}

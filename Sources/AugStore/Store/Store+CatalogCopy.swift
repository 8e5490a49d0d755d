import AugStoreCatalog
import AugStorePostgres
import Crypto
import Foundation

/// What `catalog copy` moved: the target, each table's row count and whether the store now uses
/// the copy.
public struct CatalogCopyReport: Sendable, Equatable, Encodable {
  /// One table's rows.
  public struct Table: Sendable, Equatable, Encodable {
    /// The table's name.
    public var name: String
    /// Rows copied (equal in both catalogs, and equal row by row).
    public var rows: Int
  }

  /// The catalog copied from.
  public var from: String
  /// The catalog copied to.
  public var to: String
  /// Every table, parents first.
  public var tables: [Table]
  /// Whether the store now uses the copy (`catalog.json` written or removed).
  public var switched: Bool
}

extension Store {
  /// Copies the store's catalog, table by table, into the empty catalog `target` (a PostgreSQL
  /// database, or a SQLite file that does not exist yet), checks that every table's content is equal
  /// in both, and points the store at the copy when it can: a PostgreSQL target is written to
  /// `catalog.json`, and `sqlite:<store>/catalog.sqlite` removes it. The old catalog is left as it was
  /// (a SQLite file stays in the folder as a backup).
  ///
  /// The source is read in one transaction and the target loaded in one, so the copy is of one
  /// consistent state and a failure leaves the target without rows (a new SQLite file is removed)
  /// and the store unchanged.
  ///
  /// - Throws: `StoreError.catalogCopy` when the target is the store's own catalog, not empty, or
  ///   differs from the source after loading; `CatalogError` for the engines' failures.
  public func copyCatalog(to target: CatalogURL, progress: ProgressHandler? = nil) throws -> CatalogCopyReport
  {
    guard let source = catalog as? any CatalogTableAccess else {
      throw StoreError.catalogCopy(to: target.description, reason: "this catalog cannot be copied")
    }
    guard target.description != source.location, target.description != "sqlite:" + source.location else {
      throw StoreError.catalogCopy(to: target.description, reason: "is the store's own catalog")
    }
    let tables = CatalogTables.all
    let copy: any CatalogTableAccess
    var createdFile: String?
    switch target {
    case .sqlite(let path):
      guard FileIO.kind(path) == .missing else {
        throw StoreError.catalogCopy(to: target.description, reason: "\(path) already exists")
      }
      createdFile = path
      copy = try Catalog(path: path)
    case .postgresql(let endpoint):
      copy = try PostgresCatalog(endpoint: endpoint, environment: ProcessInfo.processInfo.environment)
    }
    do {
      let counts = try copy.rowCounts(of: tables)
      if let filled = tables.first(where: { !CatalogTables.seeded.contains($0.name) && counts[$0.name] != 0 })
      {
        throw StoreError.catalogCopy(
          to: target.description, reason: "is not empty (\(counts[filled.name] ?? 0) rows in \(filled.name))")
      }
      let total = try source.rowCounts(of: tables).values.reduce(0, +)
      var written = TableDigests()
      var done = 0
      try copy.loadRows(into: tables) { load in
        try source.readRows(of: tables) { table, cells in
          written.add(table, cells)
          try load(table, cells)
          done += 1
          if done % 4096 == 0 { progress?(ProgressUpdate(phase: "copying", completed: done, total: total)) }
        }
      }
      progress?(ProgressUpdate(phase: "checking", completed: 0, total: done))
      var read = TableDigests()
      try copy.readRows(of: tables) { table, cells in read.add(table, cells) }
      for table in tables where written.digest(table) != read.digest(table) {
        throw StoreError.catalogCopy(
          to: target.description,
          reason: "\(table.name) differs after loading (\(written.rows[table.name] ?? 0) rows written, "
            + "\(read.rows[table.name] ?? 0) read)")
      }
      let switched = try switchCatalog(to: target)
      return CatalogCopyReport(
        from: source.location, to: copy.location,
        tables: tables.map { CatalogCopyReport.Table(name: $0.name, rows: read.rows[$0.name] ?? 0) },
        switched: switched)
    } catch {
      if let createdFile {
        for suffix in ["", "-wal", "-shm"] { FileIO.remove(createdFile + suffix) }
      }
      throw error
    }
  }

  /// Points the store at `target` if the store folder can name it; whether it did.
  private func switchCatalog(to target: CatalogURL) throws -> Bool {
    let configuration = root + "/" + StoreCatalogConfiguration.fileName
    switch target {
    case .postgresql:
      try FileIO.write(StoreCatalogConfiguration.contents(naming: target), to: configuration)
      return true
    case .sqlite(let path):
      guard Self.samePath(path, root + "/" + Self.catalogFileName) else { return false }
      FileIO.remove(configuration)
      return true
    }
  }

  private static func samePath(_ a: String, _ b: String) -> Bool {
    URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
  }
}

/// A SHA-256 per table over its rows in key order (each cell tagged and length-prefixed), and the
/// row counts: equal digests mean equal contents.
private struct TableDigests {
  private var hashers: [String: SHA256] = [:]
  private(set) var rows: [String: Int] = [:]

  mutating func add(_ table: CatalogTable, _ cells: [CatalogCell]) {
    var hasher = hashers[table.name] ?? SHA256()
    for cell in cells {
      switch cell {
      case .null:
        hasher.update(data: [0])
      case .integer(let value):
        hasher.update(data: [1])
        withUnsafeBytes(of: value.littleEndian) { hasher.update(bufferPointer: $0) }
      case .text(let text):
        let bytes = Array(text.utf8)
        hasher.update(data: [2])
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: bytes)
      case .blob(let bytes):
        hasher.update(data: [3])
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: bytes)
      }
    }
    hashers[table.name] = hasher
    rows[table.name, default: 0] += 1
  }

  func digest(_ table: CatalogTable) -> [UInt8] {
    (hashers[table.name] ?? SHA256()).finalize().map { $0 }
  }
}

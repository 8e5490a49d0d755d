import AugStoreCatalog
import AugStoreImaging
import AugStorePostgres
import Foundation

/// A store: a folder with the catalog, the object area and the cache.
///
/// ```
/// <store>/catalog.sqlite      datasets, versions, samples, runs, records
/// <store>/catalog.json        or: the PostgreSQL database that holds them (many hosts)
/// <store>/objects/ab/cdef…    originals, named by the SHA-256 of their bytes
/// <store>/cache/              materialized tensors
/// <store>/tmp/                files being written; never read as results
/// ```
public final class Store: Sendable {
  /// The store's folder.
  public let root: String
  /// The store's catalog.
  public let catalog: any CatalogBackend
  /// The originals, addressed by SHA-256.
  package let objects: ObjectStore
  /// The materialized tensors, addressed by cache key.
  package let cache: TensorCache
  /// Whether the store was opened for reading only: no file is created and the catalog is not written.
  public let isReadOnly: Bool
  /// Originals, decoded.
  package var originals: OriginalImages { OriginalImages(objects: objects) }

  /// The catalog file's name inside the store folder.
  public static let catalogFileName = "catalog.sqlite"

  /// The pixel budget applied when decoding images: larger images are refused unread.
  public static let defaultPixelBudget = PNGDecoder.defaultPixelBudget

  /// Opens the existing store at `root`, migrating its catalog if it is older than this binary.
  ///
  /// - Throws: `StoreError.storeNotFound` when `root` holds no catalog,
  ///   `CatalogError.schemaTooNew` when a newer augstore wrote it.
  public convenience init(opening root: String) throws {
    try self.init(opening: root, readOnly: false)
  }

  /// Opens the existing store at `root`; with `readOnly`, for queries only: the catalog through one
  /// read-only connection when its schema is up to date (see ``Catalog/init(path:readOnly:)``), and
  /// no folder is created. Commands that only read (`history`, `stats`) open it this way.
  ///
  /// - Throws: `StoreError.storeNotFound` when `root` holds no catalog,
  ///   `CatalogError.schemaTooNew` when a newer augstore wrote it.
  public convenience init(opening root: String, readOnly: Bool) throws {
    guard let catalog = try StoreCatalogConfiguration.catalog(ofStoreAt: root) else {
      throw StoreError.storeNotFound(path: root)
    }
    try self.init(root: root, catalog: catalog, readOnly: readOnly, strictly: false)
  }

  /// Opens the existing store at `root` for reading only: nothing in the folder is created, changed
  /// or removed. Tensors that are not in the cache are computed in memory and not written to it.
  ///
  /// - Throws: `StoreError.storeNotFound` when `root` holds no catalog, `CatalogError.schemaTooNew`
  ///   or `.database` when the catalog is not at this binary's schema version.
  public convenience init(readingOnly root: String) throws {
    guard let catalog = try StoreCatalogConfiguration.catalog(ofStoreAt: root) else {
      throw StoreError.storeNotFound(path: root)
    }
    try self.init(root: root, catalog: catalog, readOnly: true, strictly: true)
  }

  /// Creates a store at `root` (the folder may exist), or opens the one already there.
  ///
  /// - Parameter catalog: where a new store keeps its catalog: `nil` for `catalog.sqlite` in the
  ///   folder, or a PostgreSQL database (written to `catalog.json`; the database may be shared by
  ///   several stores' hosts only as one store). An existing store must name the same catalog.
  /// - Returns: the store, and whether it was newly created.
  /// - Throws: `StoreError.catalogMismatch` when the store exists with another catalog,
  ///   `CatalogError.database` when the server cannot be reached (nothing is written then).
  public static func initialize(
    at root: String, catalog: CatalogURL? = nil
  ) throws -> (store: Store, created: Bool) {
    if FileIO.kind(root) != .missing && FileIO.kind(root) != .directory {
      throw StoreError.io(path: root, message: "exists and is not a folder")
    }
    let existing = try StoreCatalogConfiguration.catalog(ofStoreAt: root, environment: [:])
    if let existing {
      if let catalog, catalog != existing, !(catalog == .sqlite(path: catalogPath(root)) && existing.isSQLite)
      {
        throw StoreError.catalogMismatch(
          path: root, existing: existing.description, requested: catalog.description)
      }
      return (try Store(opening: root), false)
    }
    let wanted = catalog ?? .sqlite(path: catalogPath(root))
    if case .sqlite(let path) = wanted, path != catalogPath(root) {
      throw StoreError.catalogMismatch(
        path: root, existing: "sqlite:" + catalogPath(root), requested: wanted.description)
    }
    // A server's catalog first: a server that cannot be reached leaves no folder behind. A SQLite
    // catalog needs its folder.
    if wanted.isSQLite { try FileIO.makeDirectory(root) }
    let opened = try openCatalog(wanted, readOnly: false, strictly: false)
    try FileIO.makeDirectory(root)
    if case .postgresql = wanted {
      try FileIO.write(
        StoreCatalogConfiguration.contents(naming: wanted),
        to: root + "/" + StoreCatalogConfiguration.fileName)
    }
    return (try Store(root: root, catalog: opened, readOnly: false), true)
  }

  /// Opens the store at `root` whose catalog is `catalog`.
  private convenience init(root: String, catalog: CatalogURL, readOnly: Bool, strictly: Bool) throws {
    let opened = try Self.openCatalog(catalog, readOnly: readOnly, strictly: strictly)
    try self.init(root: root, catalog: opened, readOnly: readOnly)
  }

  /// With `readOnly`, no folder is created and nothing is written.
  private init(root: String, catalog: any CatalogBackend, readOnly: Bool) throws {
    self.root = root
    isReadOnly = readOnly
    if !readOnly {
      for folder in ["objects", "cache", "tmp"] {
        try FileIO.makeDirectory(root + "/" + folder)
      }
    }
    self.catalog = catalog
    objects = ObjectStore(root: root + "/objects", temporary: root + "/tmp")
    cache = TensorCache(root: root + "/cache", temporary: root + "/tmp")
  }

  /// Opens `catalog`; with `readOnly`, for queries only; `strictly` also refuses a catalog that is
  /// not at this binary's schema version instead of migrating it.
  static func openCatalog(_ catalog: CatalogURL, readOnly: Bool, strictly: Bool) throws -> any CatalogBackend
  {
    switch catalog {
    case .sqlite(let path):
      return strictly ? try Catalog(readingOnly: path) : try Catalog(path: path, readOnly: readOnly)
    case .postgresql(let endpoint):
      return try PostgresCatalog(
        endpoint: endpoint, environment: ProcessInfo.processInfo.environment, readingOnly: strictly)
    }
  }

  private static func catalogPath(_ root: String) -> String {
    root + "/" + catalogFileName
  }
}

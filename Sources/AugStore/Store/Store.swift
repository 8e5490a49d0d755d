import AugStoreCatalog
import AugStoreImaging
import Foundation

/// A store: a folder with the SQLite catalog, the object area and the cache.
///
/// ```
/// <store>/catalog.sqlite      datasets, versions, samples, runs, records
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
    guard FileIO.kind(Self.catalogPath(root)) == .file else {
      throw StoreError.storeNotFound(path: root)
    }
    try self.init(root: root, readOnly: readOnly, strictly: false)
  }

  /// Opens the existing store at `root` for reading only: nothing in the folder is created, changed
  /// or removed. Tensors that are not in the cache are computed in memory and not written to it.
  ///
  /// - Throws: `StoreError.storeNotFound` when `root` holds no catalog, `CatalogError.schemaTooNew`
  ///   or `.database` when the catalog is not at this binary's schema version.
  public convenience init(readingOnly root: String) throws {
    guard FileIO.kind(Self.catalogPath(root)) == .file else {
      throw StoreError.storeNotFound(path: root)
    }
    try self.init(root: root, readOnly: true, strictly: true)
  }

  /// Creates a store at `root` (the folder may exist), or opens the one already there.
  ///
  /// - Returns: the store, and whether it was newly created.
  public static func initialize(at root: String) throws -> (store: Store, created: Bool) {
    let existed = FileIO.kind(catalogPath(root)) == .file
    if FileIO.kind(root) != .missing && FileIO.kind(root) != .directory {
      throw StoreError.io(path: root, message: "exists and is not a folder")
    }
    try FileIO.makeDirectory(root)
    return (try Store(root: root, readOnly: false, strictly: false), !existed)
  }

  /// With `readOnly`, no folder is created and nothing is written; `strictly` also refuses a catalog
  /// that is not at this binary's schema version instead of migrating it.
  private init(root: String, readOnly: Bool, strictly: Bool) throws {
    self.root = root
    isReadOnly = readOnly
    if !readOnly {
      for folder in ["objects", "cache", "tmp"] {
        try FileIO.makeDirectory(root + "/" + folder)
      }
    }
    let path = Self.catalogPath(root)
    catalog = strictly ? try Catalog(readingOnly: path) : try Catalog(path: path, readOnly: readOnly)
    objects = ObjectStore(root: root + "/objects", temporary: root + "/tmp")
    cache = TensorCache(root: root + "/cache", temporary: root + "/tmp")
  }

  private static func catalogPath(_ root: String) -> String {
    root + "/" + catalogFileName
  }
}

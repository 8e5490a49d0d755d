import AugStoreCatalog
import AugStorePostgres
import Foundation

/// Where a store keeps its catalog: `catalog.sqlite` in the store folder (the default), or the
/// PostgreSQL database named by the store's `catalog.json`.
///
/// `catalog.json` holds one URL and never a password:
///
/// ```json
/// {"catalog": "postgresql://augstore@db.internal:5432/augstore"}
/// ```
///
/// The password comes from `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`) of
/// the host that runs augstore. `AUGSTORE_CATALOG` replaces the file's URL on one host (a host that
/// reaches the server under another name, through a proxy, or as another user); it applies only to
/// stores whose catalog is on a server, so a local store is never pointed elsewhere by accident.
public enum StoreCatalogConfiguration {
  /// The configuration file's name inside the store folder.
  public static let fileName = "catalog.json"
  /// The environment variable that overrides a server catalog's URL on one host.
  public static let environmentVariable = "AUGSTORE_CATALOG"

  /// The catalog of the store at `root`: `.sqlite` for `catalog.sqlite` unless `catalog.json` names
  /// a server; `nil` when the folder holds neither (no store).
  ///
  /// - Throws: `StoreError.invalidCatalogConfiguration` for an unreadable or malformed
  ///   `catalog.json` or an invalid `AUGSTORE_CATALOG`.
  public static func catalog(
    ofStoreAt root: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> CatalogURL? {
    let file = root + "/" + fileName
    guard FileIO.kind(file) == .file else {
      let sqlite = root + "/" + Store.catalogFileName
      return FileIO.kind(sqlite) == .file ? .sqlite(path: sqlite) : nil
    }
    if let override = environment[environmentVariable], !override.isEmpty {
      return try parse(override, source: environmentVariable)
    }
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(file)
    } catch {
      throw StoreError.invalidCatalogConfiguration(
        path: file, reason: "cannot be read: \(error.localizedDescription)")
    }
    guard
      let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
      let url = object["catalog"] as? String
    else {
      throw StoreError.invalidCatalogConfiguration(
        path: file, reason: #"expected {"catalog": "postgresql://USER@HOST:PORT/DB"}"#)
    }
    return try parse(url, source: file)
  }

  /// The bytes of a `catalog.json` naming `url`.
  public static func contents(naming url: CatalogURL) -> [UInt8] {
    let escaped = url.description.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
    return Array("{\"catalog\": \"\(escaped)\"}\n".utf8)
  }

  private static func parse(_ text: String, source: String) throws -> CatalogURL {
    do {
      let url = try CatalogURL(parsing: text)
      guard case .postgresql = url else {
        throw StoreError.invalidCatalogConfiguration(
          path: source, reason: "\(url) is not a server catalog (postgresql://USER@HOST:PORT/DB)")
      }
      return url
    } catch let error as CatalogURLError {
      throw StoreError.invalidCatalogConfiguration(path: source, reason: error.localizedDescription)
    }
  }
}

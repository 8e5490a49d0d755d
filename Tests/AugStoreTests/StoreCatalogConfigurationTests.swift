import AugStore
import AugStorePostgres
import AugStoreTestSupport
import Foundation
import Testing

/// Where a store's catalog is: `catalog.sqlite`, or the server `catalog.json` names, overridden per
/// host by `AUGSTORE_CATALOG`.
@Suite struct StoreCatalogConfigurationTests {
  static let url = "postgresql://augstore@db.internal:5432/augstore"

  @Test func aFolderWithNeitherFileIsNoStore() throws {
    let folder = try TemporaryDirectory()
    #expect(try StoreCatalogConfiguration.catalog(ofStoreAt: folder.path, environment: [:]) == nil)
    #expect(throws: StoreError.storeNotFound(path: folder.path)) { try Store(opening: folder.path) }
  }

  @Test func aLocalStoreIgnoresTheOverride() throws {
    let folder = try TemporaryDirectory()
    _ = try Store.initialize(at: folder.path)
    let found = try StoreCatalogConfiguration.catalog(
      ofStoreAt: folder.path, environment: ["AUGSTORE_CATALOG": Self.url])
    #expect(found == .sqlite(path: folder.path + "/catalog.sqlite"))
  }

  @Test func catalogJSONNamesTheServerAndTheOverrideReplacesIt() throws {
    let folder = try TemporaryDirectory()
    try Files.write(
      StoreCatalogConfiguration.contents(naming: try CatalogURL(parsing: Self.url)),
      to: folder.appending("catalog.json"))
    #expect(
      try StoreCatalogConfiguration.catalog(ofStoreAt: folder.path, environment: [:])
        == CatalogURL(parsing: Self.url))
    let other = "postgresql://trainer@proxy.local:6432/augstore"
    #expect(
      try StoreCatalogConfiguration.catalog(ofStoreAt: folder.path, environment: ["AUGSTORE_CATALOG": other])
        == CatalogURL(parsing: other))
  }

  @Test(arguments: [
    (#"{"catalog": 3}"#, "expected {\"catalog\""),
    ("not json", "expected {\"catalog\""),
    (#"{"catalog": "sqlite:/x.sqlite"}"#, "is not a server catalog"),
    (#"{"catalog": "postgresql://u:secret@h/db"}"#, "must not hold the password"),
    (#"{"catalog": "postgresql://h/db"}"#, "no user"),
  ])
  func aBadCatalogJSONIsNamed(contents: String, message: String) throws {
    let folder = try TemporaryDirectory()
    try Files.write(Array(contents.utf8), to: folder.appending("catalog.json"))
    do {
      _ = try StoreCatalogConfiguration.catalog(ofStoreAt: folder.path, environment: [:])
      Issue.record("accepted \(contents)")
    } catch {
      let text = error.localizedDescription
      #expect(text.hasPrefix(folder.appending("catalog.json") + ": "), "\(text)")
      #expect(text.contains(message), "\(text)")
      #expect(!text.contains("secret"))
    }
  }

  @Test func aBadOverrideIsNamedAsTheVariable() throws {
    let folder = try TemporaryDirectory()
    try Files.write(
      StoreCatalogConfiguration.contents(naming: try CatalogURL(parsing: Self.url)),
      to: folder.appending("catalog.json"))
    #expect(throws: StoreError.self) {
      try StoreCatalogConfiguration.catalog(
        ofStoreAt: folder.path, environment: ["AUGSTORE_CATALOG": "mysql://x"])
    }
    do {
      _ = try StoreCatalogConfiguration.catalog(
        ofStoreAt: folder.path, environment: ["AUGSTORE_CATALOG": "mysql://x"])
    } catch {
      #expect(error.localizedDescription.hasPrefix("AUGSTORE_CATALOG: "))
    }
  }

  @Test func initOnAnExistingStoreWithAnotherCatalogIsRefused() throws {
    let folder = try TemporaryDirectory()
    _ = try Store.initialize(at: folder.path)
    #expect(
      throws: StoreError.catalogMismatch(
        path: folder.path, existing: "sqlite:" + folder.path + "/catalog.sqlite", requested: Self.url)
    ) {
      try Store.initialize(at: folder.path, catalog: CatalogURL(parsing: Self.url))
    }
    #expect(!FileManager.default.fileExists(atPath: folder.appending("catalog.json")))
  }
}

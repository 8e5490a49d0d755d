import AugStoreMigrations
import AugStoreTestSupport
import Foundation
import GRDB
import Testing

@testable import AugStoreCatalog

@Suite struct MigrationTests {
  @Test func everySchemaFileIsRegisteredInOrder() throws {
    let folder = Files.repositoryRoot + "/Migrations/SQL"
    let files = try FileManager.default.contentsOfDirectory(atPath: folder)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(!files.isEmpty)
    #expect(SchemaMigrations.all.map { $0.identifier + ".sql" } == files)
    #expect(SchemaMigrations.all.map(\.version) == Array(1...files.count))
    for migration in SchemaMigrations.all {
      let onDisk = try String(contentsOfFile: "\(folder)/\(migration.identifier).sql", encoding: .utf8)
      #expect(migration.sql == onDisk, "embedded copy of \(migration.identifier) is stale")
    }
  }

  @Test func newCatalogIsAtTheLatestSchema() throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    #expect(try catalog.schemaVersion() == SchemaMigrations.latestVersion)
    let journal = try catalog.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    #expect(journal == "wal")
  }

  @Test func reopeningChangesNothing() throws {
    let folder = try TemporaryDirectory()
    let path = folder.appending("catalog.sqlite")
    _ = try Catalog(path: path)
    let reopened = try Catalog(path: path)
    let applied = try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations")
    }
    #expect(applied == SchemaMigrations.all.count)
  }

  @Test func catalogFromANewerAugstoreIsRefusedUntouched() throws {
    let folder = try TemporaryDirectory()
    let path = folder.appending("catalog.sqlite")
    do {
      let catalog = try Catalog(path: path)
      try catalog.write { db in
        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0042_from_the_future')")
      }
    }
    let before = try Files.read(path)
    #expect(
      throws: CatalogError.schemaTooNew(
        path: path, catalogVersion: 42, supportedVersion: SchemaMigrations.latestVersion)
    ) {
      _ = try Catalog(path: path)
    }
    #expect(try Files.read(path) == before)
    let message = CatalogError.schemaTooNew(
      path: path, catalogVersion: 42, supportedVersion: SchemaMigrations.latestVersion
    )
    .localizedDescription
    #expect(message.contains("42") && message.contains("version \(SchemaMigrations.latestVersion)"))
  }

  @Test func notADatabaseIsAnErrorNamingTheFile() throws {
    let folder = try TemporaryDirectory()
    let path = folder.appending("catalog.sqlite")
    try Files.write(Array(String(repeating: "not sqlite ", count: 200).utf8), to: path)
    #expect {
      _ = try Catalog(path: path)
    } throws: { error in
      guard case .database(let failedPath, _) = error as? CatalogError else { return false }
      return failedPath == path
    }
  }
}

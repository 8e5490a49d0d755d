import AugStoreMigrations
import AugStoreTestSupport
import Foundation
import GRDB
import Testing

@testable import AugStoreCatalog

@Suite struct MigrationTests {
  /// Each engine's schema folder and the list compiled into the binary.
  static let series: [(folder: String, migrations: [SchemaMigration])] = [
    ("SQL", SchemaMigrations.all), ("PostgreSQL", PostgresSchemaMigrations.all),
  ]

  @Test(arguments: 0..<series.count) func everySchemaFileIsRegisteredInOrder(series index: Int) throws {
    let (name, migrations) = Self.series[index]
    let folder = Files.repositoryRoot + "/Migrations/" + name
    let files = try FileManager.default.contentsOfDirectory(atPath: folder)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(!files.isEmpty)
    #expect(migrations.map { $0.identifier + ".sql" } == files)
    #expect(migrations.map(\.version) == Array(1...files.count))
    for migration in migrations {
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

  /// Commits are written with `synchronous = FULL` (2), also after GRDB's WAL set-up, which sets NORMAL.
  @Test func writerSynchronisesFully() throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    let mode = try catalog.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    #expect(mode == 2)
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

/// Schema 7 moves `record_blocks` into a rowid table; a catalog written before keeps every row.
@Suite struct RecordBlocksMigrationTests {
  static let columns = "run_id, epoch, block, count, positions, tensors, params"

  static func rows(_ path: String) throws -> [Row] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    return try queue.read { db in
      try Row.fetchAll(db, sql: "SELECT \(columns) FROM record_blocks ORDER BY run_id, epoch, block")
    }
  }

  @Test func aSchema5CatalogKeepsItsRecordBlocksInTheRowidTable() throws {
    let folder = try TemporaryDirectory()
    let path = folder.appending("catalog.sqlite")
    try FileManager.default.copyItem(
      atPath: Files.repositoryRoot + "/Tests/Fixtures/store-v5/catalog.sqlite", toPath: path)
    let before = try Self.rows(path)
    #expect(!before.isEmpty)

    let catalog = try Catalog(path: path)
    #expect(try catalog.schemaVersion() == SchemaMigrations.latestVersion)
    #expect(try catalog.integrityCheck() == ["ok"])
    let (definition, plan, violations) = try catalog.read { db in
      (
        try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'record_blocks'") ?? "",
        try Row.fetchAll(
          db,
          sql:
            "EXPLAIN QUERY PLAN SELECT params FROM record_blocks WHERE run_id = 1 AND epoch = 0 AND block = 0"
        ).map { $0["detail"] as String? ?? "" },
        try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
      )
    }
    #expect(definition.contains("id INTEGER PRIMARY KEY") && !definition.contains("WITHOUT ROWID"))
    #expect(plan.contains { $0.contains("USING INDEX sqlite_autoindex_record_blocks") }, "\(plan)")
    #expect(violations == 0)
    #expect(try Self.rows(path) == before)
    // The views read the rebuilt table.
    let records = try catalog.read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM augmentation_records WHERE record IS NOT NULL")
    }
    #expect(records == before.reduce(0) { $0 + ($1["count"] as Int) })
  }

  @Test func aNewCatalogHasTheRowidTable() throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    let definition = try catalog.read { db in
      try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'record_blocks'") ?? ""
    }
    #expect(definition.contains("id INTEGER PRIMARY KEY"))
  }
}

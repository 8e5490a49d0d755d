import AugStore
import AugStoreTestSupport
import Foundation
import Testing

/// `augstore catalog copy`: a store's catalog moved from SQLite into PostgreSQL and back, through
/// the real binary and a real PostgreSQL server.
@Suite struct CatalogCopyCLITests {
  /// A SQLite store with a dataset, a run, three recorded epochs, two materialized.
  static func makeStore(_ folder: TemporaryDirectory, environment: [String: String]) throws -> String {
    let store = folder.appending("store")
    try PostgresStoreCLITests.succeed(["init", store], environment)
    try PostgresStoreCLITests.populate(store: store, folder: folder, environment: environment)
    try PostgresStoreCLITests.succeed(["record", "r", "--epochs", "0-2", "--store", store], environment)
    try PostgresStoreCLITests.succeed(["materialize", "r", "--epochs", "0-1", "--store", store], environment)
    return store
  }

  @Test func aCatalogMovedToPostgreSQLAndBackIsUnchanged() throws {
    let database = try ScratchDatabase()
    let env = database.environment
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(folder, environment: env)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    let history = try PostgresStoreCLITests.succeed(
      ["history", "r", "--sample", "9", "--json", "--store", store], env)

    let moved = try PostgresStoreCLITests.succeed(
      ["catalog", "copy", "--to", database.url, "--store", store], env)
    #expect(moved.stdout.contains("The store now uses \(database.url)"))
    #expect(FileManager.default.fileExists(atPath: store + "/catalog.json"))
    #expect(try database.count("samples") == 36)
    // Every record block gains where its records start (PostgreSQL's `starts`), which SQLite lacks.
    #expect(try database.count("record_blocks") == 3)
    #expect(try database.count("record_blocks WHERE starts IS NULL") == 0)
    // The store answers from PostgreSQL as it did from SQLite, and keeps working there.
    let fromServer = try PostgresStoreCLITests.succeed(
      ["history", "r", "--sample", "9", "--json", "--store", store], env)
    #expect(fromServer.stdout == history.stdout)
    try PostgresStoreCLITests.succeed(["verify", "--store", store], env)

    // Back to a SQLite file: the same rows as the original catalog, table by table.
    let back = folder.appending("back.sqlite")
    let copied = try PostgresStoreCLITests.succeed(
      ["catalog", "copy", "--to", "sqlite:" + back, "--json", "--store", store], env)
    let report = try JSONSerialization.jsonObject(with: Data(copied.stdout.utf8)) as? [String: Any]
    #expect(report?["switched"] as? Bool == false)
    let tables = report?["tables"] as? [[String: Any]] ?? []
    #expect(tables.first { $0["name"] as? String == "samples" }?["rows"] as? Int == 36)
    #expect(try CatalogDump.dump(back) == before)

    // And the store switches back when the file is its own catalog.sqlite.
    try FileManager.default.moveItem(
      atPath: store + "/catalog.sqlite", toPath: folder.appending("old.sqlite"))
    for suffix in ["-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: store + "/catalog.sqlite" + suffix)
    }
    let home = try PostgresStoreCLITests.succeed(
      ["catalog", "copy", "--to", "sqlite:" + store + "/catalog.sqlite", "--store", store], env)
    #expect(home.stdout.contains("The store now uses"))
    #expect(!FileManager.default.fileExists(atPath: store + "/catalog.json"))
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == before)
  }

  @Test func refusedCopiesChangeNothing() throws {
    let database = try ScratchDatabase()
    let env = database.environment
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(folder, environment: env)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    let other = try TemporaryDirectory()
    let filled = try Self.makeStore(other, environment: env)
    try PostgresStoreCLITests.succeed(["catalog", "copy", "--to", database.url, "--store", filled], env)

    let existing = folder.appending("existing.sqlite")
    try Files.write([1, 2, 3], to: existing)
    let cases: [(target: String, message: String)] = [
      (database.url, "is not empty (36 rows in objects)"),
      ("sqlite:" + existing, "already exists"),
      ("sqlite:" + store + "/catalog.sqlite", "is the store's own catalog"),
      ("mysql://x@y/z", "expected postgresql://"),
      (
        database.url.replacingOccurrences(of: "augstore@", with: "augstore:hunter2@"),
        "must not hold the password"
      ),
    ]
    for (target, message) in cases {
      let outcome = try CLI.run(["catalog", "copy", "--to", target, "--store", store], environment: env)
      #expect(outcome.status == 1, "\(target)")
      #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
      #expect(!outcome.stderr.contains("hunter2"))
      #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }
    #expect(try Files.read(existing) == [1, 2, 3])
    #expect(!FileManager.default.fileExists(atPath: store + "/catalog.json"))
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == before)
    #expect(try database.count("samples") == 36)
  }

  @Test func aLoadThatFailsMidwayLeavesTheTargetEmpty() throws {
    let database = try ScratchDatabase()
    let env = database.environment
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(folder, environment: env)
    // A database whose record_blocks refuse rows: the load fails after the earlier tables were sent.
    try PostgresStoreCLITests.succeed(["init", folder.appending("schema"), "--catalog", database.url], env)
    try database.execute(
      """
      CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON record_blocks FOR EACH ROW EXECUTE FUNCTION refuse();
      """)
    let outcome = try CLI.run(["catalog", "copy", "--to", database.url, "--store", store], environment: env)
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("refused by the test"), "\(outcome.stderr)")
    #expect(outcome.stderr.contains(database.url))
    for table in ["objects", "datasets", "samples", "runs", "tensors", "epochs", "record_blocks"] {
      #expect(try database.count(table) == 0, "\(table)")
    }
    #expect(!FileManager.default.fileExists(atPath: store + "/catalog.json"))
    try PostgresStoreCLITests.succeed(["verify", "--store", store], env)
  }
}

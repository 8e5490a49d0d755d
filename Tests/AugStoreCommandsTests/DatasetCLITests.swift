import AugStoreTestSupport
import Foundation
import GRDB
import Testing

@testable import AugStoreCatalog

/// End-to-end tests of the real `augstore` binary on real PNG folders and SQLite files.
@Suite struct DatasetCLITests {
  @Test func twoThousandImagesInTenClasses() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let source = folder.appending("images")
    let paths = try ImageFolder.make(at: source, classes: 10, perClass: 200)
    #expect(try CLI.run(["init", store]).status == 0)

    let added =
      try CLI.json(["dataset", "add", "photos", "--from", source, "--store", store]) as? [String: Any]
    #expect(added?["version"] as? Int == 1 && added?["samples"] as? Int == 2000)
    let shown = try CLI.json(["dataset", "show", "photos@v1", "--store", store]) as? [String: Any]
    #expect(shown?["samples"] as? Int == 2000)
    let labels = shown?["labels"] as? [String: Int]
    #expect(labels?.count == 10 && labels?.values.allSatisfy { $0 == 200 } == true)
    #expect((shown?["bytes"] as? Int ?? 0) > 0)

    let again = try CLI.run(["dataset", "add", "photos", "--from", source, "--store", store])
    #expect(again.status == 0 && again.stdout.contains("unchanged"))
    let listed = try CLI.json(["dataset", "list", "--store", store]) as? [String: Any]
    let datasets = listed?["datasets"] as? [[String: Any]]
    #expect((datasets?.first?["versions"] as? [Any])?.count == 1)

    let original = try Files.read(source + "/" + paths[0])
    try Files.write(try ImageFolder.png(seed: -1), to: source + "/" + paths[0])
    try Files.write(try ImageFolder.png(seed: -2), to: source + "/class9/extra.png")
    try FileManager.default.removeItem(atPath: source + "/" + paths[1000])
    let second =
      try CLI.json(["dataset", "add", "photos", "--from", source, "--store", store]) as? [String: Any]
    #expect(second?["version"] as? Int == 2 && second?["created"] as? Bool == true)
    let diff =
      try CLI.json(["dataset", "diff", "photos@v1", "photos@v2", "--store", store]) as? [String: Any]
    #expect(diff?["added"] as? [String] == ["class9/extra.png"])
    #expect(diff?["removed"] as? [String] == [paths[1000]])
    #expect(diff?["changed"] as? [String] == [paths[0]])

    let out = folder.appending("export")
    #expect(try CLI.run(["dataset", "export", "photos@v1", "--to", out, "--store", store]).status == 0)
    #expect(Files.list(out) == paths)
    #expect(try Files.read(out + "/" + paths[0]) == original)
    #expect(try Files.read(out + "/" + paths[1999]) == Files.read(source + "/" + paths[1999]))
  }

  @Test func twoAddsStartedTogetherBothSucceed() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try ImageFolder.make(at: folder.appending("a"), classes: 2, perClass: 150)
    try ImageFolder.make(at: folder.appending("b"), classes: 3, perClass: 100, seedOffset: 7)
    #expect(try CLI.run(["init", store]).status == 0)
    for _ in 0..<3 {
      let first = try CLI.start([
        "dataset", "add", "alpha", "--from", folder.appending("a"), "--store", store,
      ])
      let second = try CLI.start([
        "dataset", "add", "beta", "--from", folder.appending("b"), "--store", store,
      ])
      let same = try CLI.start(["dataset", "add", "alpha", "--from", folder.appending("a"), "--store", store])
      for outcome in [CLI.finish(first), CLI.finish(second), CLI.finish(same)] {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("locked"))
      }
    }
    let listed = try CLI.json(["dataset", "list", "--store", store]) as? [String: Any]
    let datasets = listed?["datasets"] as? [[String: Any]]
    #expect(datasets?.map { $0["name"] as? String } == ["alpha", "beta"])
    #expect(datasets?.map { ($0["versions"] as? [Any])?.count } == [1, 1])
  }

  @Test func badInputIsOneLineExitOneAndChangesNothing() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let source = folder.appending("images")
    try ImageFolder.make(at: source, classes: 1, perClass: 2)
    try Files.write(Array("not an image".utf8), to: source + "/class0/fake.png")
    #expect(try CLI.run(["init", store]).status == 0)
    let catalogBefore = try CatalogDump.dump(store + "/catalog.sqlite")

    let bad = try CLI.run(["dataset", "add", "x", "--from", source, "--store", store])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("class0/fake.png: not a PNG or JPEG file"))
    #expect(bad.stdout.isEmpty)
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == catalogBefore)
    #expect(Files.list(store + "/objects").isEmpty)

    for arguments in [
      ["dataset", "show", "ghost"], ["dataset", "add", "a b", "--from", source],
      ["dataset", "add", "x", "--from", folder.appending("missing")], ["dataset", "tag", "ghost@v1", "t"],
      ["dataset", "export", "ghost@v1", "--to", folder.appending("out")],
    ] {
      let outcome = try CLI.run(arguments + ["--store", store])
      #expect(outcome.status == 1, "\(arguments)")
      #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
      #expect(outcome.stderr.hasPrefix("augstore: error: "))
    }
    let noStore = try CLI.run(["dataset", "list", "--store", folder.appending("nowhere")])
    #expect(noStore.status == 1 && noStore.stderr.contains("augstore init"))
    #expect(try CLI.run(["dataset", "frobnicate", "--store", store]).status == 2)
    #expect(try CLI.run(["dataset", "show", "bad@@ref", "--store", store]).status == 2)
    #expect(try CLI.run(["--help"]).status == 0)
  }

  @Test func skipInvalidRegistersTheRestAndTagsResolve() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let source = folder.appending("images")
    try ImageFolder.make(at: source, classes: 2, perClass: 2)
    try Files.write([0x89, 0x50, 0x4E, 0x47], to: source + "/class1/cut.png")
    #expect(try CLI.run(["init", store]).status == 0)
    let added = try CLI.run(["dataset", "add", "x", "--from", source, "--skip-invalid", "--store", store])
    #expect(added.status == 0)
    #expect(added.stderr.contains("skipped class1/cut.png"))
    #expect(try CLI.run(["dataset", "tag", "x@v1", "baseline", "--store", store]).status == 0)
    let shown = try CLI.json(["dataset", "show", "x@baseline", "--store", store]) as? [String: Any]
    #expect(shown?["samples"] as? Int == 4 && shown?["tags"] as? [String] == ["baseline"])
    #expect(try CLI.run(["dataset", "tag", "x@v1", "v2", "--store", store]).status == 1)
  }

  @Test func storeComesFromTheEnvironmentWhenNotGiven() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("envstore")
    #expect(try CLI.run(["init"], environment: ["AUGSTORE_STORE": store]).status == 0)
    #expect(FileManager.default.fileExists(atPath: store + "/catalog.sqlite"))
    #expect(try CLI.run(["dataset", "list"], environment: ["AUGSTORE_STORE": store]).status == 0)
  }

  @Test func catalogFromANewerAugstoreIsRefused() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    try Catalog(path: store + "/catalog.sqlite").write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')")
    }
    let refused = try CLI.run(["dataset", "list", "--store", store])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("schema version 99")
        && refused.stderr.contains("this augstore supports (schema version"))
  }
}

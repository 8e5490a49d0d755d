import AugStore
import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import GRDB
import Testing

/// Tampering, kills, write failures and upgrades through the real binary (the fast part of
/// `Tools/reliability`; the long runs live there).
@Suite struct ReliabilityCLITests {
  // MARK: Tampering

  /// `verify --json`: exit status and problems as (kind, path, detail).
  static func verify(_ store: String) throws -> (status: Int32, problems: [(String, String, String)]) {
    let outcome = try CLI.run(["verify", "--json", "--store", store])
    let report = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
    let problems = (report?["problems"] as? [[String: Any]] ?? []).map {
      ($0["kind"] as? String ?? "", $0["path"] as? String ?? "", $0["detail"] as? String ?? "")
    }
    return (outcome.status, problems)
  }

  static func flipByte(_ path: String, at offset: Int) throws {
    var bytes = try Files.read(path)
    bytes[offset % bytes.count] ^= 0x01
    try Files.write(bytes, to: path)
  }

  @Test func verifyNamesAnObjectWithAFlippedByte() throws {
    let folder = try TemporaryDirectory()
    let store = try MaterializeCLITests.makeStore(in: folder, perClass: 2)
    #expect(try Self.verify(store).status == 0)
    let objects = Files.list(store + "/objects")
    try Self.flipByte(store + "/objects/" + objects[3], at: 100)
    let found = try Self.verify(store)
    #expect(found.status == 1)
    #expect(found.problems.count == 1)
    #expect(found.problems.first?.0 == "object_damaged")
    #expect(found.problems.first?.1.hasSuffix(objects[3]) == true)
  }

  @Test func verifyNamesACacheEntryWithAFlippedByte() throws {
    let folder = try TemporaryDirectory()
    let store = try MaterializeCLITests.makeStore(in: folder, perClass: 2)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0", "--store", store]).status == 0)
    let entries = Files.list(store + "/cache")
    try Self.flipByte(store + "/cache/" + entries[1], at: 200)
    let found = try Self.verify(store)
    #expect(found.status == 1)
    #expect(found.problems.map(\.0) == ["cache_damaged"])
    #expect(found.problems.first?.1.hasSuffix(entries[1]) == true)
  }

  @Test func verifyNamesARecordWhoseDigestDiffersFromItsCacheEntry() throws {
    let folder = try TemporaryDirectory()
    let store = try MaterializeCLITests.makeStore(in: folder, perClass: 2)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-1", "--store", store]).status == 0)
    let clean = try CLI.json(["verify", "--store", store]) as? [String: Any]
    #expect(clean?["record_digests_checked"] as? Int == 12)
    let opened = try Store(opening: store)
    try opened.catalog.setTensorDigests(
      run: try opened.catalog.run(named: "r"), epoch: 1,
      [(sample: 5, digest: [UInt8](repeating: 9, count: 32))])
    let found = try Self.verify(store)
    #expect(found.status == 1)
    #expect(found.problems.map(\.0) == ["record_digest"])
    #expect(found.problems.first?.2.contains("run \"r\" epoch 1 sample 5") == true)
    let text = try CLI.run(["verify", "--store", store])
    #expect(
      text.status == 1 && text.stderr.contains("record_digest") && text.stderr.contains("epoch 1 sample 5"))
  }

  // MARK: Hostile names

  @Test func oddFileNamesAndSQLInNamesAreTakenLiterally() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    let label = "cl ass'; DROP TABLE samples;--"
    let names = ["a b.png", "ünï.png", "semi;colon'quote.png", "new\nline.png", "%s%n.png", "-dash.png"]
    for (seed, name) in names.enumerated() {
      try Files.write(try ImageFolder.png(seed: seed), to: folder.appending("images/\(label)/\(name)"))
    }
    let refused = try CLI.run([
      "dataset", "add", "x'; DROP TABLE samples;--", "--from", folder.appending("images"), "--store", store,
    ])
    #expect(refused.status == 1 && refused.stderr.contains("invalid dataset name"))
    #expect(
      try CLI.run(["dataset", "add", "odd", "--from", folder.appending("images"), "--store", store]).status
        == 0)
    let rows =
      try CLI.json(["sql", "SELECT path, label FROM samples ORDER BY path", "--store", store])
      as? [String: Any]
    let found = (rows?["rows"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    #expect(found == names.map { "\(label)/\($0)" }.sorted())
    let out = folder.appending("export")
    #expect(try CLI.run(["dataset", "export", "odd", "--to", out, "--store", store]).status == 0)
    for name in names {
      #expect(
        try Files.read(out + "/\(label)/\(name)") == Files.read(folder.appending("images/\(label)/\(name)")))
    }
    #expect(try Self.verify(store).status == 0)
  }

  // MARK: Hostile pipelines

  /// Regression (found by fuzz-pipeline): `materialize` of a pipeline whose Normalization had a
  /// single variance beside three means, or two means for an RGB image, died of a trap (SIGILL)
  /// in the kernel; now the first works and the second is one error line.
  @Test(arguments: [
    (#"{"mean": [0.5, 0.4, 0.3], "variance": 0.25}"#, true),
    (#"{"mean": [1, 2], "variance": [1, 1]}"#, false),
  ])
  func normalizationWithPerChannelValuesMaterializesOrFailsCleanly(arguments: String, succeeds: Bool) throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    try ImageFolder.make(at: folder.appending("images"), classes: 1, perClass: 3)
    let spec =
      #"{"transforms": [{"type": "RandomFlip"}, {"type": "Normalization", "#
      + arguments.dropFirst() + #"], "output": {"dtype": "float32"}}"#
    try Files.write(Array(spec.utf8), to: folder.appending("norm.json"))
    for command in [
      ["init", store], ["dataset", "add", "d", "--from", folder.appending("images"), "--store", store],
      ["pipeline", "add", "norm", "--spec", folder.appending("norm.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "norm", "--seed", "3", "--store", store],
    ] {
      let outcome = try CLI.run(command)
      #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
    }
    let materialize = try CLI.run(["materialize", "r", "--epochs", "0", "--store", store])
    if succeeds {
      #expect(materialize.status == 0, "\(materialize.stderr)")
    } else {
      #expect(materialize.status == 1)
      #expect(materialize.stderr.split(separator: "\n").count == 1, "\(materialize.stderr)")
      #expect(materialize.stderr.contains("2 per-channel values for an image with 3 channels"))
    }
    #expect(try Self.verify(store).status == 0)
  }

  // MARK: Kills

  /// Every record of the store as one line each (epoch, sample, position, parameters, digest).
  static func referenceRecords(_ store: String) throws -> [String] {
    let document =
      try CLI.json([
        "sql",
        "SELECT epoch, sample, position, params_json, digest FROM augmentation_records ORDER BY epoch, sample",
        "--store", store,
      ]) as? [String: Any]
    return (document?["rows"] as? [[String: Any]] ?? []).map { row in
      ["epoch", "sample", "position", "params_json", "digest"].map { "\(row[$0] ?? "nil")" }.joined(
        separator: " ")
    }
  }

  @Test(arguments: [
    (["dataset", "add", "d2", "--from", "@IMAGES"], 0.04), (["record", "r", "--epochs", "0-19"], 0.05),
    (["cache", "gc", "--max-size", "10KB"], 0.03),
    (["replay", "r", "--epoch", "1", "--all", "--out", "@OUT"], 0.05),
  ])
  func aKilledCommandLeavesASoundStoreAndItsRerunCompletes(arguments: [String], delay: Double) throws {
    let folder = try TemporaryDirectory()
    let store = try MaterializeCLITests.makeStore(in: folder, perClass: 20)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-1", "--store", store]).status == 0)
    let before = try Self.referenceRecords(store)
    let resolved = arguments.map {
      $0 == "@IMAGES" ? folder.appending("images") : $0 == "@OUT" ? folder.appending("out") : $0
    }
    let started = try CLI.start(resolved + ["--store", store])
    Thread.sleep(forTimeInterval: delay)
    kill(started.0.processIdentifier, SIGKILL)
    _ = CLI.finish(started)
    let afterKill = try Self.verify(store)
    #expect(afterKill.status == 0, "\(afterKill.problems)")
    let records = try Self.referenceRecords(store)
    #expect(Array(records.prefix(before.count)) == before)
    let rerun = try CLI.run(resolved + ["--store", store])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(try Self.verify(store).status == 0)
    let replay = try CLI.run([
      "replay", "r", "--epoch", "0", "--all", "--out", folder.appending("check"), "--store", store,
    ])
    #expect(replay.status == 0, "\(replay.stderr)")
  }

  // MARK: Write failures

  /// Regression: a failed write while staging originals (EFBIG here; ENOSPC and EROFS alike) was
  /// reported as "invalid images", and `--skip-invalid` then registered the rest without them.
  @Test(arguments: [false, true])
  func datasetAddPastTheFileSizeLimitFailsCleanlyAndChangesNothing(skipInvalid: Bool) throws {
    // ThreadSanitizer's runtime dies of SIGBUS under any file-size limit (even `--version`), so
    // under `swift test --sanitize=thread` this test has nothing to say about augstore.
    let probe = try Self.shell("ulimit -f 128; trap '' XFSZ; exec \"$0\" --version", [CLI.executable])
    if probe.stderr.contains("ThreadSanitizer") { return }
    #expect(probe.status == 0, "\(probe.stderr)")
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    #expect(try CLI.run(["init", store]).status == 0)
    // Random pixels: each PNG is about 90 KB.
    try ImageFolder.make(at: folder.appending("images"), classes: 2, perClass: 2, width: 200, height: 150)
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    // 128 blocks of 512 bytes: room for the catalog's 32 KB shared-memory file, none for an original,
    // so staging the first one fails with EFBIG.
    let outcome = try Self.shell(
      "ulimit -f 128; trap '' XFSZ; exec \"$0\" \"$@\"",
      [CLI.executable, "dataset", "add", "d", "--from", folder.appending("images"), "--store", store]
        + (skipInvalid ? ["--skip-invalid"] : []))
    #expect(outcome.status == 1)
    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("too large"), "\(outcome.stderr)")
    #expect(!outcome.stderr.contains("invalid"), "\(outcome.stderr)")
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == before)
    #expect(Files.list(store + "/objects").isEmpty)
    #expect(Files.list(store + "/tmp").isEmpty)
    #expect(try Self.verify(store).status == 0)
    #expect(
      try CLI.run(["dataset", "add", "d", "--from", folder.appending("images"), "--store", store]).status == 0
    )
  }

  /// Runs `/bin/sh -c script arguments…` and collects its output.
  static func shell(_ script: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    _ = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
  }

  // MARK: Upgrades

  /// The schema version this binary writes.
  static func latestSchema() throws -> Int {
    let folder = try TemporaryDirectory()
    return try Catalog(path: folder.appending("catalog.sqlite")).schemaVersion()
  }

  static let fixture = Files.repositoryRoot + "/Tests/Fixtures/store-v4"

  /// A copy of the schema-4 fixture store in `folder`.
  static func copyFixture(into folder: TemporaryDirectory) throws -> String {
    let copy = folder.appending("store-v4")
    try FileManager.default.copyItem(atPath: fixture, toPath: copy)
    return copy
  }

  @Test func aStoreWrittenBySchema4OpensWithItsRecordsHistoryAndTensorsIntact() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.copyFixture(into: folder)
    let expected =
      try JSONSerialization.jsonObject(with: Data(try Files.read(Self.fixture + ".expected.json")))
      as? [String: Any]
    let records = try #require(expected?["records"] as? [[String: Any]])
    #expect(records.count == 8)

    #expect(try Self.verify(store).status == 0)
    let opened = try Store(opening: store)
    #expect(expected?["schema"] as? Int == 4)
    #expect(try opened.catalog.schemaVersion() == Self.latestSchema())
    let rows =
      try CLI.json([
        "sql",
        "SELECT run, epoch, sample, path, label, position, original, params_json, digest FROM augmentation_records "
          + "ORDER BY epoch, sample", "--store", store,
      ]) as? [String: Any]
    let found = try #require(rows?["rows"] as? [[String: Any]])
    #expect(found.count == records.count)
    for (row, want) in zip(found, records) {
      #expect(NSDictionary(dictionary: row).isEqual(to: want), "\(row) != \(want)")
    }

    for sample in 0..<4 {
      let history =
        try CLI.json(["history", "r", "--sample", "\(sample)", "--store", store]) as? [String: Any]
      let epochs = try #require(history?["epochs"] as? [[String: Any]])
      let wanted = records.filter { $0["sample"] as? Int == sample }
      #expect(epochs.map { $0["digest"] as? String } == wanted.map { $0["digest"] as? String })
      #expect(epochs.map { $0["position"] as? Int } == wanted.map { $0["position"] as? Int })
    }

    for epoch in 0..<2 {
      let out = folder.appending("replay-\(epoch)")
      let replay = try CLI.run([
        "replay", "r", "--epoch", "\(epoch)", "--all", "--out", out, "--store", store,
      ])
      #expect(replay.status == 0, "\(replay.stderr)")
      for want in records where want["epoch"] as? Int == epoch {
        let name = "\(want["position"] as? Int ?? -1)-\(want["sample"] as? Int ?? -1).npy"
        let digest = TensorCache.digest(try Files.read(out + "/" + name))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == want["digest"] as? String)
      }
    }
    let cache = try CLI.json(["cache", "stats", "--store", store]) as? [String: Any]
    #expect(cache?["hits"] as? Int ?? 0 >= 8)
  }

  @Test func aCatalogClaimingAFutureSchemaIsRefusedNamingBothVersionsAndLeftUntouched() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.copyFixture(into: folder)
    do {
      let queue = try DatabaseQueue(path: store + "/catalog.sqlite")
      try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('0099_future')") }
      try queue.close()
    }
    let latest = try Self.latestSchema()
    let files = Files.list(store)
    let before = try files.map { try Files.read(store + "/" + $0) }
    for arguments in [["verify"], ["history", "r", "--sample", "0"], ["materialize", "r", "--epochs", "2"]] {
      let outcome = try CLI.run(arguments + ["--store", store])
      #expect(outcome.status == 1)
      #expect(outcome.stderr.contains("99") && outcome.stderr.contains("version \(latest)"))
      #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }
    // The catalog and every other file are byte for byte the same. SQLite's read-only connection
    // (the schema check) may leave an empty -wal and a -shm index beside the catalog: no content.
    let sideFiles: Set<String> = ["catalog.sqlite-wal", "catalog.sqlite-shm"]
    let after = Files.list(store).filter { !sideFiles.contains($0) }
    #expect(after == files)
    #expect(try after.map { try Files.read(store + "/" + $0) } == before)
    if FileManager.default.fileExists(atPath: store + "/catalog.sqlite-wal") {
      #expect(try Files.read(store + "/catalog.sqlite-wal").isEmpty)
    }
  }
}

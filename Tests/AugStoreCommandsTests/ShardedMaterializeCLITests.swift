import AugStore
import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import GRDB
import Testing

/// `materialize --shard I/N`: several processes splitting one run's epochs over one store (one SQLite
/// catalog, one shared cache folder), through the real binary.
///
/// The cache folder is always `<store>/cache`: shards with separate cache folders and one catalog are
/// not possible with a SQLite catalog, so every test here shares one cache folder.
@Suite struct ShardedMaterializeCLITests {
  /// A store with `classes × perClass` PNGs (`width × height`), MaterializeCLITests' pipeline and run
  /// `r` (seed 11). The images folder is shared by every store made in `folder`.
  static func makeStore(
    in folder: TemporaryDirectory, name: String, classes: Int = 2, perClass: Int = 16, width: Int = 32,
    height: Int = 24
  ) throws -> String {
    let store = folder.appending(name)
    let images = folder.appending("images")
    if !FileManager.default.fileExists(atPath: images) {
      try ImageFolder.make(at: images, classes: classes, perClass: perClass, width: width, height: height)
    }
    try Files.write(Array(MaterializeCLITests.spec.utf8), to: folder.appending("aug.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "aug", "--spec", folder.appending("aug.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "aug", "--seed", "11", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      guard outcome.status == 0 else { throw CLIFailure(arguments: arguments, outcome: outcome) }
    }
    return store
  }

  /// Starts `count` shard processes of `materialize r --epochs epochs --json` at once (shard `i` of
  /// `count` each, or the shards listed) and waits for all of them.
  static func runShards(
    _ shards: [String], epochs: String, store: String
  ) throws -> [CLI.Outcome] {
    let started = try shards.map { shard in
      try CLI.start(["materialize", "r", "--epochs", epochs, "--shard", shard, "--json", "--store", store])
    }
    return started.map(CLI.finish)
  }

  /// The `epochs` array of a `materialize --json` document.
  static func epochReports(_ outcome: CLI.Outcome) throws -> [[String: Any]] {
    let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
    return document?["epochs"] as? [[String: Any]] ?? []
  }

  /// `SELECT count(*)` of each table in `tables`, through a read-only connection.
  static func rowCounts(_ store: String, tables: [String]) throws -> [String: Int] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: store + "/catalog.sqlite", configuration: configuration)
    return try queue.read { db in
      var counts: [String: Int] = [:]
      for table in tables {
        counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)")
      }
      return counts
    }
  }

  /// Files under `<store>/cache`.
  static func cacheFiles(_ store: String) -> Int {
    Files.list(store + "/cache").count
  }

  /// Samples of each epoch of run `r` with a stored digest.
  static func materialized(_ store: String, epochs: [Int]) throws -> [Int] {
    let opened = try Store(opening: store)
    let run = try opened.catalog.run(named: "r")
    return try epochs.map { try opened.catalog.materializedCount(run: run, epoch: $0) }
  }

  // MARK: Shards together equal one process

  @Test func threeConcurrentShardsStoreExactlyTheDigestsOfOneProcess() throws {
    let folder = try TemporaryDirectory()
    // 32 samples: shares of 11, 11 and 10.
    let store = try Self.makeStore(in: folder, name: "sharded")
    let outcomes = try Self.runShards(["0/3", "1/3", "2/3"], epochs: "0-1", store: store)
    var rendered = [0, 0]
    var computed = [0, 0]
    var bestMaterialized = [0, 0]
    for (index, outcome) in outcomes.enumerated() {
      #expect(outcome.status == 0, "\(outcome.stderr)")
      #expect(!outcome.stderr.contains("locked"))
      let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
      let shard = document?["shard"] as? [String: Any]
      #expect(shard?["index"] as? Int == index)
      #expect(shard?["count"] as? Int == 3)
      let epochs = try Self.epochReports(outcome)
      #expect(epochs.map { $0["epoch"] as? Int } == [0, 1])
      for (position, epoch) in epochs.enumerated() {
        #expect(epoch["samples"] as? Int == (index == 2 ? 10 : 11))
        #expect(epoch["epoch_samples"] as? Int == 32)
        let mine = epoch["materialized"] as? Int ?? 0
        #expect(mine >= (index == 2 ? 10 : 11) && mine <= 32)
        rendered[position] += epoch["samples"] as? Int ?? 0
        computed[position] += epoch["computed"] as? Int ?? 0
        bestMaterialized[position] = max(bestMaterialized[position], mine)
      }
    }
    // Each sample rendered once: the shares sum to the epoch, all computed, and the cache counted
    // exactly one miss per sample and epoch.
    #expect(rendered == [32, 32])
    #expect(computed == [32, 32])
    // Whichever shard committed an epoch last saw it complete.
    #expect(bestMaterialized == [32, 32])
    let stats = try CLI.json(["cache", "stats", "--store", store]) as? [String: Any]
    #expect(stats?["misses"] as? Int == 64)
    #expect(stats?["hits"] as? Int == 0)
    #expect(try Self.materialized(store, epochs: [0, 1]) == [32, 32])

    let reference = try Self.makeStore(in: folder, name: "reference")
    let whole = try CLI.run(["materialize", "r", "--epochs", "0-1", "--json", "--store", reference])
    #expect(whole.status == 0, "\(whole.stderr)")
    // Without --shard the JSON is as it was: no shard, no epoch-wide counts.
    let wholeDocument = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any]
    #expect(wholeDocument?["shard"] == nil)
    #expect(
      try Self.epochReports(whole).allSatisfy { $0["epoch_samples"] == nil && $0["materialized"] == nil })
    let shardedDigests = try MaterializeCLITests.digests(store, epochs: [0, 1])
    #expect(shardedDigests[0]?.count == 32 && shardedDigests[1]?.count == 32)
    #expect(shardedDigests == (try MaterializeCLITests.digests(reference, epochs: [0, 1])))
    let counts = ["epochs", "record_blocks", "tensors", "cache_entries"]
    #expect(try Self.rowCounts(store, tables: counts) == Self.rowCounts(reference, tables: counts))
    #expect(Self.cacheFiles(store) == Self.cacheFiles(reference))
    let verify = try ReliabilityCLITests.verify(store)
    #expect(verify.status == 0, "\(verify.problems)")
    #expect(verify.problems.isEmpty)
  }

  @Test func theTextSummaryNamesTheShardAndItsShare() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "store")
    let first = try CLI.run(["materialize", "r", "--epochs", "0", "--shard", "1/3", "--store", store])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("epoch 0 shard 1/3: 11 of 32 samples, 11 computed, 0 cached"))
    #expect(first.stdout.contains("11 of 32 materialized (other shards pending)"))
    for shard in ["0/3", "2/3"] {
      #expect(
        try CLI.run(["materialize", "r", "--epochs", "0", "--shard", shard, "--store", store]).status == 0)
    }
    let again = try CLI.run(["materialize", "r", "--epochs", "0", "--shard", "1/3", "--store", store])
    #expect(again.stdout.contains("epoch 0 shard 1/3: 11 of 32 samples, 0 computed, 11 cached"))
    #expect(again.stdout.contains("; epoch complete"))
  }

  // MARK: A killed shard

  @Test func aShardKilledMidRunIsCompletedByItsRerunWhileTheOthersFinish() throws {
    let folder = try TemporaryDirectory()
    // 60 images and six epochs: shard 1 is still working after its first commit.
    let store = try Self.makeStore(in: folder, name: "sharded", perClass: 30)
    let epochs = Array(0...5)
    let others = try ["0/3", "2/3"].map { shard in
      try CLI.start(["materialize", "r", "--epochs", "0-5", "--shard", shard, "--json", "--store", store])
    }
    let victim = try CLI.start(["materialize", "r", "--epochs", "0-5", "--shard", "1/3", "--store", store])
    // Kill shard 1 once its share of epoch 0 is committed.
    let opened = try Store(opening: store)
    let share = Array(stride(from: 1, to: 60, by: 3))
    let deadline = Date.now.addingTimeInterval(120)
    var committed = false
    while !committed, victim.0.isRunning, Date.now < deadline {
      let run = try opened.catalog.run(named: "r")
      if try opened.catalog.recordedEpochs(run: run).contains(where: { $0.epoch == 0 }) {
        committed = try opened.catalog.tensorDigests(run: run, epoch: 0, samples: share).count == share.count
      }
      if !committed { Thread.sleep(forTimeInterval: 0.002) }
    }
    kill(victim.0.processIdentifier, SIGKILL)
    _ = CLI.finish(victim)
    #expect(committed)
    #expect(victim.0.terminationReason == .uncaughtSignal)
    for outcome in others.map(CLI.finish) {
      #expect(outcome.status == 0, "\(outcome.stderr)")
    }
    let afterKill = try Self.materialized(store, epochs: epochs)
    #expect(afterKill[0] == 60)
    #expect(afterKill.contains { $0 < 60 }, "the kill came after shard 1 finished: \(afterKill)")
    let verifyAfterKill = try ReliabilityCLITests.verify(store)
    #expect(verifyAfterKill.status == 0, "\(verifyAfterKill.problems)")

    let rerun = try CLI.run([
      "materialize", "r", "--epochs", "0-5", "--shard", "1/3", "--json", "--store", store,
    ])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let reports = try Self.epochReports(rerun)
    #expect(reports.allSatisfy { $0["samples"] as? Int == 20 && $0["materialized"] as? Int == 60 })
    // What the killed shard committed is served from the cache; the rest is computed.
    #expect(reports.first?["cached"] as? Int == 20)
    #expect(reports.reduce(0) { $0 + ($1["computed"] as? Int ?? 0) } < 120)
    #expect(try Self.materialized(store, epochs: epochs) == Array(repeating: 60, count: 6))

    let reference = try Self.makeStore(in: folder, name: "reference")
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-5", "--store", reference]).status == 0)
    #expect(
      try MaterializeCLITests.digests(store, epochs: epochs)
        == MaterializeCLITests.digests(reference, epochs: epochs)
    )
    let verify = try ReliabilityCLITests.verify(store)
    #expect(verify.status == 0, "\(verify.problems)")
    #expect(verify.problems.isEmpty)
  }

  // MARK: One shard twice

  @Test func theSameShardRunTwiceAtOnceStoresItsDigestsOnce() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "twice")
    let outcomes = try Self.runShards(["0/2", "0/2"], epochs: "0-1", store: store)
    for outcome in outcomes {
      #expect(outcome.status == 0, "\(outcome.stderr)")
      #expect(try Self.epochReports(outcome).map { $0["samples"] as? Int } == [16, 16])
    }
    let once = try Self.makeStore(in: folder, name: "once")
    #expect(try Self.runShards(["0/2"], epochs: "0-1", store: once).first?.status == 0)
    // Shard 0's samples (the even ones) have their digests, the others none yet.
    let twiceDigests = try MaterializeCLITests.digests(store, epochs: [0, 1])
    #expect(twiceDigests == (try MaterializeCLITests.digests(once, epochs: [0, 1])))
    #expect(twiceDigests[0].map { Set($0.keys) } == Set(stride(from: 0, to: 32, by: 2)))
    let tables = ["epochs", "record_blocks", "tensors", "cache_entries"]
    let counts = try Self.rowCounts(store, tables: tables)
    #expect(counts == (try Self.rowCounts(once, tables: tables)))
    #expect(counts["tensors"] == 32)
    #expect(Self.cacheFiles(store) == Self.cacheFiles(once))

    // The other shard completes the run: the digests of one unsharded process.
    #expect(try Self.runShards(["1/2"], epochs: "0-1", store: store).first?.status == 0)
    let reference = try Self.makeStore(in: folder, name: "reference")
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-1", "--store", reference]).status == 0)
    #expect(
      try MaterializeCLITests.digests(store, epochs: [0, 1])
        == MaterializeCLITests.digests(reference, epochs: [0, 1]))
    #expect(try Self.rowCounts(store, tables: tables) == Self.rowCounts(reference, tables: tables))
    let verify = try ReliabilityCLITests.verify(store)
    #expect(verify.status == 0, "\(verify.problems)")
  }

  // MARK: Bad values

  @Test(arguments: ["3/3", "-1/2", "1/0", "a/b", "1", "1/2/3", "/2", " 0/2", "0/-2", "+1/2", ""])
  func aBadShardIsAOneLineErrorNamingItAndChangesNothing(value: String) throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "store")
    let before = try CatalogDump.dump(store + "/catalog.sqlite")
    let outcome = try CLI.run(["materialize", "r", "--epochs", "0", "--shard", value, "--store", store])
    #expect(outcome.status == 1)
    #expect(outcome.stdout.isEmpty)
    let lines = outcome.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(outcome.stderr)")
    #expect(outcome.stderr.hasPrefix("augstore: error: invalid shard \"\(value)\": "))
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == before)
    #expect(Self.cacheFiles(store) == 0)
  }
}

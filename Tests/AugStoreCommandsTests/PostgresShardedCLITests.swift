import AugStore
import AugStorePostgres
import AugStoreTestSupport
import Foundation
import Testing

/// Many hosts, one run: `materialize --shard I/N` processes sharing one PostgreSQL catalog, some with
/// their own store folder and cache (another host), against a real server; and what happens when the
/// server restarts or a worker is killed in the middle.
@Suite struct PostgresShardedCLITests {
  /// A store whose catalog is `url`, with `perClass` × 2 images, the materialize tests' pipeline and
  /// run `r` (seed 11).
  static func makeStore(
    in folder: TemporaryDirectory, name: String, url: String?, perClass: Int = 16,
    environment: [String: String] = [:]
  ) throws -> String {
    let store = folder.appending(name)
    let images = folder.appending("images")
    if !FileManager.default.fileExists(atPath: images) {
      try ImageFolder.make(at: images, classes: 2, perClass: perClass, width: 32, height: 24)
    }
    try Files.write(Array(MaterializeCLITests.spec.utf8), to: folder.appending("aug.json"))
    let initialize = url.map { ["init", store, "--catalog", $0] } ?? ["init", store]
    for arguments in [
      initialize, ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "aug", "--spec", folder.appending("aug.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "aug", "--seed", "11", "--store", store],
    ] {
      try PostgresStoreCLITests.succeed(arguments, environment)
    }
    return store
  }

  /// A second host's view of `store`: a folder of its own (its own cache/ and tmp/) naming the same
  /// catalog, with the originals (objects/) from the shared file system.
  static func secondHost(of store: String, at path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: store + "/catalog.json", toPath: path + "/catalog.json")
    try FileManager.default.createSymbolicLink(
      atPath: path + "/objects", withDestinationPath: store + "/objects")
  }

  /// Each epoch's digests by sample, as the store's catalog holds them.
  static func digests(_ store: String, epochs: [Int]) throws -> [[Int: [UInt8]]] {
    try epochs.map { epoch in
      let opened = try Store(opening: store)
      let run = try opened.catalog.run(named: "r")
      return try opened.catalog.tensorDigests(run: run, epoch: epoch)
    }
  }

  @Test func shardsOnHostsWithSharedAndSeparateCachesStoreTheDigestsOfOneProcess() throws {
    let database = try ScratchDatabase()
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "host-a", url: database.url)
    let hostB = folder.appending("host-b")
    try Self.secondHost(of: store, at: hostB)
    // Shards 0 and 1 share host A's cache; shards 2 and 3 share host B's.
    let started = try [(store, "0/4"), (store, "1/4"), (hostB, "2/4"), (hostB, "3/4")].map { host, shard in
      try CLI.start(["materialize", "r", "--epochs", "0-2", "--shard", shard, "--json", "--store", host])
    }
    var rendered = 0
    for outcome in started.map(CLI.finish) {
      #expect(outcome.status == 0, "\(outcome.stderr)")
      rendered += try ShardedMaterializeCLITests.epochReports(outcome).reduce(0) {
        $0 + ($1["samples"] as? Int ?? 0)
      }
    }
    // Every sample of every epoch rendered exactly once.
    #expect(rendered == 3 * 32)
    #expect(try database.count("tensors") == 3 * 32)
    #expect(try database.count("epochs") == 3)
    #expect(try database.count("cache_entries") >= 3 * 32)

    let reference = try Self.makeStore(in: folder, name: "reference", url: nil)
    try PostgresStoreCLITests.succeed(["materialize", "r", "--epochs", "0-2", "--store", reference], [:])
    #expect(try Self.digests(store, epochs: [0, 1, 2]) == Self.digests(reference, epochs: [0, 1, 2]))
    // Each host's cache holds what its shards rendered; together they hold every indexed entry. The
    // cache index is the catalog's, shared: a host's verify finds the other host's files missing
    // from its own folder, and nothing else.
    let filesA = Files.list(store + "/cache").filter { $0.hasSuffix(".npy") }.count
    let filesB = Files.list(hostB + "/cache").filter { $0.hasSuffix(".npy") }.count
    #expect(filesA > 0 && filesB > 0)
    #expect(filesA + filesB == (try database.count("cache_entries")))
    for host in [store, hostB] {
      let verify = try ReliabilityCLITests.verify(host)
      #expect(!verify.problems.isEmpty)
      #expect(verify.problems.allSatisfy { $0.0 == "cache_missing" }, "\(verify.problems.prefix(3))")
    }
  }

  @Test func theSameShardOnTwoHostsAtOnceStoresItsDigestsOnce() throws {
    let database = try ScratchDatabase()
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "host-a", url: database.url)
    let hostB = folder.appending("host-b")
    try Self.secondHost(of: store, at: hostB)
    let started = try [store, hostB].map { host in
      try CLI.start(["materialize", "r", "--epochs", "0-1", "--shard", "0/2", "--json", "--store", host])
    }
    for outcome in started.map(CLI.finish) {
      #expect(outcome.status == 0, "\(outcome.stderr)")
    }
    #expect(try database.count("tensors") == 32)
    #expect(try database.count("epochs") == 2)
    let reference = try Self.makeStore(in: folder, name: "reference", url: nil)
    try PostgresStoreCLITests.succeed(
      ["materialize", "r", "--epochs", "0-1", "--shard", "0/2", "--store", reference], [:])
    #expect(try Self.digests(store, epochs: [0, 1]) == Self.digests(reference, epochs: [0, 1]))
  }

  @Test func aShardKilledMidRunIsCompletedByItsRerun() throws {
    let database = try ScratchDatabase()
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "host-a", url: database.url, perClass: 30)
    let epochs = Array(0...5)
    let others = try ["0/3", "2/3"].map { shard in
      try CLI.start(["materialize", "r", "--epochs", "0-5", "--shard", shard, "--json", "--store", store])
    }
    let victim = try CLI.start(["materialize", "r", "--epochs", "0-5", "--shard", "1/3", "--store", store])
    let opened = try Store(opening: store)
    let share = Array(stride(from: 1, to: 60, by: 3))
    let deadline = Date.now.addingTimeInterval(120)
    var committed = false
    while !committed, victim.0.isRunning, Date.now < deadline {
      let run = try opened.catalog.run(named: "r")
      if try opened.catalog.recordedEpochs(run: run).contains(where: { $0.epoch == 0 }) {
        committed = try opened.catalog.tensorDigests(run: run, epoch: 0, samples: share).count == share.count
      }
      if !committed { Thread.sleep(forTimeInterval: 0.005) }
    }
    kill(victim.0.processIdentifier, SIGKILL)
    _ = CLI.finish(victim)
    #expect(committed)
    for outcome in others.map(CLI.finish) {
      #expect(outcome.status == 0, "\(outcome.stderr)")
    }
    let run = try opened.catalog.run(named: "r")
    let afterKill = try epochs.map { try opened.catalog.materializedCount(run: run, epoch: $0) }
    #expect(afterKill.contains { $0 < 60 }, "the kill came after shard 1 finished: \(afterKill)")
    #expect(try ReliabilityCLITests.verify(store).status == 0)

    try PostgresStoreCLITests.succeed(
      ["materialize", "r", "--epochs", "0-5", "--shard", "1/3", "--store", store], [:])
    #expect(
      try epochs.map { try opened.catalog.materializedCount(run: run, epoch: $0) } == [
        60, 60, 60, 60, 60, 60,
      ])
    let reference = try Self.makeStore(in: folder, name: "reference", url: nil, perClass: 30)
    try PostgresStoreCLITests.succeed(["materialize", "r", "--epochs", "0-5", "--store", reference], [:])
    #expect(try Self.digests(store, epochs: epochs) == Self.digests(reference, epochs: epochs))
    let verify = try ReliabilityCLITests.verify(store)
    #expect(verify.status == 0, "\(verify.problems)")
    #expect(verify.problems.isEmpty)
  }

  @Test func aServerRestartMidMaterializeFailsClearlyAndARerunCompletes() throws {
    let server = try PostgresTestServer.startPrivate()
    defer { server.destroy() }
    let env = server.environment
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, name: "store", url: server.url, perClass: 40, environment: env)
    let started = try CLI.start(
      ["materialize", "r", "--epochs", "0-39", "--jobs", "1", "--store", store], environment: env)
    // Restart once the first epoch is committed and the command is still working.
    guard case .postgresql(let endpoint) = try CatalogURL(parsing: server.url) else { return }
    let catalog = try PostgresCatalog(endpoint: endpoint, environment: env)
    let run = try catalog.run(named: "r")
    let deadline = Date.now.addingTimeInterval(120)
    while started.0.isRunning, Date.now < deadline,
      try !catalog.recordedEpochs(run: run).contains(where: { $0.epoch == 0 })
        || catalog.materializedCount(run: run, epoch: 0) < 80
    {
      Thread.sleep(forTimeInterval: 0.01)
    }
    let running = started.0.isRunning
    #expect(server.restart() == 0)
    let failed = CLI.finish(started)
    #expect(running, "materialize finished before the restart")
    #expect(failed.status == 1, "\(failed.stderr)")
    #expect(failed.stderr.contains(server.url), "\(failed.stderr)")
    #expect(failed.stderr.split(separator: "\n").count == 1, "\(failed.stderr)")

    let verify = try CLI.run(["verify", "--json", "--store", store], environment: env)
    #expect(verify.status == 0, "\(verify.stdout)")
    let rerun = try CLI.run(
      ["materialize", "r", "--epochs", "0-39", "--json", "--store", store], environment: env)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let reports = try ShardedMaterializeCLITests.epochReports(rerun)
    #expect(reports.count == 40)
    #expect(reports.allSatisfy { $0["samples"] as? Int == 80 })
    // What was committed before the restart is kept: the rerun computes only the rest.
    #expect(reports.first?["computed"] as? Int == 0, "\(reports.first ?? [:])")
    let fresh = try PostgresCatalog(endpoint: endpoint, environment: env)
    #expect(
      try (0..<40).map { try fresh.materializedCount(run: run, epoch: $0) } == Array(repeating: 80, count: 40)
    )
  }
}

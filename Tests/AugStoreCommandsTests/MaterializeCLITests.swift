import AugStore
import AugStoreCatalog
import AugStoreImaging
import AugStoreTestSupport
import Foundation
import Testing

/// Materialize, replay, cache and crash behaviour through the real binary.
@Suite struct MaterializeCLITests {
  static let spec = """
    {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
      {"type": "RandomZoom", "height_factor": 0.1}, {"type": "RandomCrop", "height": 20, "width": 20},
      {"type": "RandomContrast", "factor": 0.2}, {"type": "RandomBrightness", "factor": 0.2}]}
    """

  /// A store with a dataset, the pipeline above and run `r` (seed 11).
  static func makeStore(
    in folder: TemporaryDirectory, name: String = "store", perClass: Int = 10
  ) throws -> String {
    let store = folder.appending(name)
    let images = folder.appending("images")
    if !FileManager.default.fileExists(atPath: images) {
      try ImageFolder.make(at: images, classes: 3, perClass: perClass, width: 32, height: 24)
    }
    try Files.write(Array(spec.utf8), to: folder.appending("aug.json"))
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

  /// Every stored digest of run `r`, by epoch then sample.
  static func digests(_ store: String, epochs: [Int]) throws -> [Int: [Int: [UInt8]]] {
    let opened = try Store(opening: store)
    let run = try opened.catalog.run(named: "r")
    var result: [Int: [Int: [UInt8]]] = [:]
    for epoch in epochs {
      result[epoch] = try opened.catalog.tensorDigests(run: run, epoch: epoch)
    }
    return result
  }

  @Test func replayAfterClearingTheCacheGivesTheSameBytesWhateverTheJobs() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder)
    let twoJobs =
      try CLI.json(["materialize", "r", "--epochs", "0-2", "--jobs", "2", "--store", store]) as? [String: Any]
    #expect((twoJobs?["epochs"] as? [[String: Any]])?.map { $0["computed"] as? Int } == [30, 30, 30])
    let before = try Self.digests(store, epochs: [0, 1, 2])
    #expect(before[1]?.count == 30)

    let firstReplay = folder.appending("replay-cached")
    #expect(
      try CLI.run(["replay", "r", "--epoch", "1", "--all", "--out", firstReplay, "--store", store]).status
        == 0)
    #expect(try CLI.run(["cache", "clear", "--store", store]).status == 0)
    let replayed =
      try CLI.json([
        "replay", "r", "--epoch", "1", "--all", "--out", folder.appending("replay"), "--store", store,
      ]) as? [String: Any]
    #expect(replayed?["computed"] as? Int == 30)
    let files = Files.list(folder.appending("replay")).filter { $0.hasSuffix(".npy") }
    #expect(files.count == 30)
    for file in files {
      let bytes = try Files.read(folder.appending("replay/" + file))
      let sample = Int(file.split(separator: "-")[1].split(separator: ".")[0]) ?? -1
      #expect(TensorCache.digest(bytes) == before[1]?[sample])
      #expect(bytes == (try Files.read(firstReplay + "/" + file)))
    }

    let other = try Self.makeStore(in: folder, name: "one-job")
    #expect(
      try CLI.run(["materialize", "r", "--epochs", "0-2", "--jobs", "1", "--store", other]).status == 0)
    #expect(try Self.digests(other, epochs: [0, 1, 2]) == before)
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
  }

  @Test func damagedCacheFilesAreRebuiltAndReported() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0", "--store", store]).status == 0)
    // A tensor's file (20×20 after the crop), not a decoded original's (24×32).
    let cacheFiles = try Files.list(store + "/cache").filter {
      try NPY.decode(Files.read(store + "/cache/" + $0)).shape == [20, 20, 3]
    }
    var bytes = try Files.read(store + "/cache/" + cacheFiles[0])
    bytes[bytes.count - 1] ^= 0x5A
    try Files.write(bytes, to: store + "/cache/" + cacheFiles[0])
    let verify = try CLI.run(["verify", "--store", store])
    #expect(
      verify.status == 1 && verify.stderr.contains("cache_damaged") && verify.stderr.contains(cacheFiles[0]))

    let again = try CLI.json(["materialize", "r", "--epochs", "0", "--store", store]) as? [String: Any]
    let epoch = (again?["epochs"] as? [[String: Any]])?.first
    #expect(epoch?["rebuilt"] as? Int ?? 0 >= 1)
    #expect(epoch?["computed"] as? Int == 0)
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
    let stats = try CLI.json(["cache", "stats", "--store", store]) as? [String: Any]
    #expect(stats?["rebuilt"] as? Int ?? 0 >= 1)
  }

  @Test func aTamperedDigestIsAnErrorNamingRunEpochAndSample() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0", "--store", store]).status == 0)
    let opened = try Store(opening: store)
    let run = try opened.catalog.run(named: "r")
    try opened.catalog.setTensorDigests(
      run: run, epoch: 0, [(sample: 4, digest: [UInt8](repeating: 7, count: 32))])
    let outcome = try CLI.run([
      "replay", "r", "--epoch", "0", "--sample", "4", "--out", folder.appending("o"), "--store", store,
    ])
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("run \"r\" epoch 0 sample 4"))
    #expect(!FileManager.default.fileExists(atPath: folder.appending("o")))

    let unrecorded = try CLI.run([
      "replay", "r", "--epoch", "9", "--all", "--out", folder.appending("o"), "--store", store,
    ])
    #expect(unrecorded.status == 1 && unrecorded.stderr.contains("augstore record r --epochs 9"))
  }

  @Test func batchesFollowTheEpochOrder() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder)
    #expect(try CLI.run(["record", "r", "--epochs", "2", "--store", store]).status == 0)
    let out = folder.appending("batch")
    #expect(
      try CLI.run([
        "replay", "r", "--epoch", "2", "--batch", "1", "--batch-size", "8", "--out", out, "--store", store,
      ]).status == 0)
    let batch = try NPYFileCheck.decode(out + "/batch-1.npy")
    #expect(batch.shape == [8, 20, 20, 3])
    let labels = try NPYFileCheck.decode(out + "/labels.npy")
    #expect(labels.shape == [8])
    let listed =
      try JSONSerialization.jsonObject(with: Data(try Files.read(out + "/samples.json"))) as? [[String: Any]]
    #expect(listed?.map { $0["position"] as? Int } == Array(8..<16))
    let opened = try Store(opening: store)
    let order = try opened.catalog.epochOrder(run: try opened.catalog.run(named: "r"), epoch: 2)
    #expect(listed?.map { $0["index"] as? Int } == Array(order[8..<16]))
  }

  @Test func twoMaterializeProcessesOnOneRunAgree() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, perClass: 30)
    let first = try CLI.start(["materialize", "r", "--epochs", "0-3", "--store", store])
    let second = try CLI.start(["materialize", "r", "--epochs", "0-3", "--store", store])
    for outcome in [CLI.finish(first), CLI.finish(second)] {
      #expect(outcome.status == 0, "\(outcome.stderr)")
      #expect(!outcome.stderr.contains("locked"))
    }
    let reference = try Self.makeStore(in: folder, name: "reference", perClass: 30)
    #expect(
      try CLI.run(["materialize", "r", "--epochs", "0-3", "--jobs", "1", "--store", reference]).status == 0)
    #expect(try Self.digests(store, epochs: [0, 1, 2, 3]) == Self.digests(reference, epochs: [0, 1, 2, 3]))
    #expect(try CLI.run(["verify", "--store", store]).status == 0)
  }

  @Test(arguments: [0.05, 0.15, 0.3])
  func killedMaterializeLeavesASoundStoreAndCompletes(delay: Double) throws {
    let folder = try TemporaryDirectory()
    let store = try Self.makeStore(in: folder, perClass: 60)
    let started = try CLI.start(["materialize", "r", "--epochs", "0-4", "--store", store])
    Thread.sleep(forTimeInterval: delay)
    kill(started.0.processIdentifier, SIGKILL)
    _ = CLI.finish(started)
    let verify = try CLI.run(["verify", "--store", store])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-4", "--store", store]).status == 0)
    let reference = try Self.makeStore(in: folder, name: "reference", perClass: 60)
    #expect(try CLI.run(["materialize", "r", "--epochs", "0-4", "--store", reference]).status == 0)
    #expect(try Self.digests(store, epochs: Array(0...4)) == Self.digests(reference, epochs: Array(0...4)))
  }
}

/// Reads `.npy` files written by the CLI.
enum NPYFileCheck {
  static func decode(_ path: String) throws -> (shape: [Int], count: Int) {
    let array = try NPY.decode(Files.read(path))
    return (array.shape, array.count)
  }
}

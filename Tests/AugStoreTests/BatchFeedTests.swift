import AugStoreCatalog
import AugStoreImaging
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

@testable import AugStore

@Suite struct BatchPlanTests {
  @Test(arguments: [
    (40, 8, 1), (40, 8, 2), (40, 8, 4), (41, 8, 4), (37, 10, 5), (3, 8, 4), (40, 12, 3),
  ])
  func ranksSlicesAreContiguousEqualAndCoverEachGlobalBatch(
    samples: Int, batchSize: Int, worldSize: Int
  ) throws {
    for dropLast in [false, true] {
      let plans = try (0..<worldSize).map {
        try BatchPlan(
          sampleCount: samples, batchSize: batchSize, dropLast: dropLast, rank: $0, worldSize: worldSize)
      }
      let expectedCount = dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize
      #expect(plans[0].batchCount == expectedCount)
      var covered: [Int] = []
      for batch in 0..<plans[0].batchCount {
        let global = plans[0].globalPositions(ofBatch: batch)
        let slices = plans.map { $0.positions(ofBatch: batch) }
        #expect(slices.flatMap { Array($0) } == Array(global))
        let sizes = slices.map(\.count)
        #expect(sizes == sizes.sorted(by: >))
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        if global.count == batchSize { #expect(Set(sizes) == [batchSize / worldSize]) }
        covered += global
      }
      #expect(covered == Array(0..<(dropLast ? expectedCount * batchSize : samples)))
    }
  }

  @Test func plansThatCannotSplitBatchesAreRefusedWithTheReason() {
    #expect(throws: StoreError.invalidBatchPlan(reason: "batch size 0 must be at least 1")) {
      try BatchPlan(sampleCount: 10, batchSize: 0)
    }
    #expect(
      throws: StoreError.invalidBatchPlan(
        reason: "batch size 6 is not divisible by world size 4: every rank must get an equal slice")
    ) {
      try BatchPlan(sampleCount: 10, batchSize: 6, rank: 0, worldSize: 4)
    }
    #expect(throws: StoreError.invalidBatchPlan(reason: "rank 2 is not in 0..<2 (the world size)")) {
      try BatchPlan(sampleCount: 10, batchSize: 4, rank: 2, worldSize: 2)
    }
  }
}

@Suite struct BatchFeedTests {
  /// A store with a 30-image dataset and run `r` (nothing recorded).
  static func store(in folder: TemporaryDirectory) throws -> Store {
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 3, perClass: 10, width: 25, height: 21)
    let store = try Store.initialize(at: folder.appending("store")).store
    _ = try store.addDataset(named: "d", from: images)
    _ = try store.addPipeline(named: "p", specJSON: Array(MaterializeTests.spec.utf8), source: "spec.json")
    _ = try store.createRun(
      named: "r", dataset: DatasetReference(parsing: "d"), pipeline: PipelineReference(parsing: "p"), seed: 5,
      shuffle: true)
    return store
  }

  @Test(arguments: [BatchDelivery.streaming, .cached])
  func batchesEqualReplayAndRecordDigestsOnFirstDelivery(delivery: BatchDelivery) throws {
    let folder = try TemporaryDirectory()
    let store = try Self.store(in: folder)
    let feed = try BatchFeed(store: store, run: "r", jobs: 2)
    let plan = try BatchPlan(sampleCount: 30, batchSize: 8)
    let run = try store.catalog.run(named: "r")
    for index in 0..<plan.batchCount {
      let batch = try feed.batch(epoch: 2, index: index, plan: plan, delivery: delivery)
      #expect(batch.firstDeliveries == batch.samples.count)
      let replayed = try store.replay(
        run: "r", epoch: 2, selection: .batch(index: index, size: 8), to: folder.appending("replay-\(index)"))
      #expect(replayed.samples.map(\.index) == batch.samples)
      let stacked = try NPY.decode(Files.read(folder.appending("replay-\(index)/batch-\(index).npy")))
      #expect(stacked.shape == batch.shape)
      if delivery == .streaming {
        #expect(stacked.data == batch.data)
      } else {
        let data = try batch.files.flatMap { try NPY.decode(Files.read($0)).data }
        #expect(stacked.data == data)
      }
      try feed.flush()
      let recorded = try store.catalog.tensorDigests(run: run, epoch: 2, samples: batch.samples)
      #expect(batch.samples.map { recorded[$0] } == batch.digests)
    }
    // A second delivery records nothing new and gives the same bytes.
    let again = try feed.batch(epoch: 2, index: 1, plan: plan, delivery: delivery)
    #expect(again.firstDeliveries == 0)
  }

  @Test func aTensorThatDiffersFromItsRecordedDigestIsAnErrorNamingRunEpochAndSample() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.store(in: folder)
    let feed = try BatchFeed(store: store, run: "r")
    let plan = try BatchPlan(sampleCount: 30, batchSize: 30)
    let first = try feed.batch(epoch: 0, index: 0, plan: plan, delivery: .streaming)
    try feed.flush()
    let run = try store.catalog.run(named: "r")
    let wrong = [UInt8](repeating: 7, count: 32)
    try store.catalog.setTensorDigests(run: run, epoch: 0, [(first.samples[3], wrong)])
    let path = try store.catalog.samples(in: feed.details.version)[first.samples[3]].path
    #expect(throws: StoreError.digestMismatch(run: "r", epoch: 0, sample: first.samples[3], path: path)) {
      try feed.batch(epoch: 0, index: 0, plan: plan, delivery: .streaming)
    }
  }

  @Test func aBatchPastTheEndIsRefused() throws {
    let folder = try TemporaryDirectory()
    let feed = try BatchFeed(store: try Self.store(in: folder), run: "r")
    let plan = try BatchPlan(sampleCount: 30, batchSize: 8, dropLast: true)
    #expect(throws: StoreError.batchOutOfRange(run: "r", epoch: 4, batch: 3, batchCount: 3)) {
      try feed.batch(epoch: 4, index: 3, plan: plan, delivery: .streaming)
    }
  }
}

@Suite struct EngineServerTests {
  /// Runs a server on pipes, sends `requests` (one per line) and returns every response line
  /// with its payload size.
  static func exchange(
    storePath: String, _ requests: [String]
  ) throws -> [(header: [String: Any], payload: Int)] {
    let toServer = Pipe()
    let fromServer = Pipe()
    let serverInput = toServer.fileHandleForReading.fileDescriptor
    let serverOutput = fromServer.fileHandleForWriting.fileDescriptor
    let done = DispatchSemaphore(value: 0)
    Thread {
      EngineServer(storePath: storePath, jobs: 2, input: serverInput, output: serverOutput).run()
      try? fromServer.fileHandleForWriting.close()
      done.signal()
    }.start()
    toServer.fileHandleForWriting.write(Data(requests.map { $0 + "\n" }.joined().utf8))
    try toServer.fileHandleForWriting.close()
    let output = [UInt8](fromServer.fileHandleForReading.readDataToEndOfFile())
    done.wait()
    var responses: [(header: [String: Any], payload: Int)] = []
    var offset = 0
    while offset < output.count {
      let newline = try #require(output[offset...].firstIndex(of: UInt8(ascii: "\n")))
      let header = try #require(
        try JSONSerialization.jsonObject(with: Data(output[offset..<newline])) as? [String: Any])
      let payload = header["payload"] as? Int ?? 0
      responses.append((header, payload))
      offset = newline + 1 + payload
    }
    #expect(offset == output.count)
    return responses
  }

  @Test func speaksTheProtocolAndAnswersEveryRequestInOrder() throws {
    let folder = try TemporaryDirectory()
    let store = try BatchFeedTests.store(in: folder)
    let responses = try Self.exchange(
      storePath: store.root,
      [
        #"{"op": "batch", "epoch": 0, "index": 0, "batch_size": 8}"#,
        #"{"op": "open", "run": "r"}"#,
        #"{"op": "epoch", "epoch": 3, "batch_size": 8, "drop_last": true}"#,
        #"{"op": "batch", "epoch": 3, "index": 1, "batch_size": 8, "rank": 1, "world_size": 2}"#,
        "not json",
        #"{"op": "batch", "epoch": 3, "index": 0, "batch_size": 6, "world_size": 4}"#,
        #"{"op": "dance"}"#,
        #"{"op": "close"}"#,
        #"{"op": "open", "run": "r"}"#,
      ])
    #expect(responses.count == 9)
    #expect(responses[0].header["protocol"] as? Int == EngineProtocol.version)
    #expect((responses[1].header["error"] as? String)?.hasPrefix("invalid request: open a run first") == true)
    #expect(responses[2].header["samples"] as? Int == 30)
    #expect(responses[2].header["labels"] as? [String] == ["class0", "class1", "class2"])
    #expect(responses[3].header["batches"] as? Int == 3)
    #expect(responses[4].header["shape"] as? [Int] == [4, 16, 18, 3])
    #expect(responses[4].header["start"] as? Int == 12)
    #expect(responses[4].payload == 4 * 16 * 18 * 3)
    #expect((responses[5].header["error"] as? String)?.hasPrefix("invalid request: not a JSON") == true)
    #expect(
      responses[6].header["error"] as? String
        == "batch size 6 is not divisible by world size 4: every rank must get an equal slice")
    #expect((responses[7].header["error"] as? String)?.contains("unknown op \"dance\"") == true)
    #expect(responses[8].header["ok"] as? Bool == true)
  }

  @Test func aMissingStoreIsAOneLineErrorNamingIt() throws {
    let folder = try TemporaryDirectory()
    let responses = try Self.exchange(
      storePath: folder.appending("nowhere"), [#"{"op": "open", "run": "r"}"#])
    let error = try #require(responses.last?.header["error"] as? String)
    #expect(error.hasPrefix(folder.appending("nowhere") + ": no augstore store here"))
  }
}

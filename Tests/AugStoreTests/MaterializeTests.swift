import AugStoreCatalog
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Synchronization
import Testing

@testable import AugStore

@Suite struct MaterializeTests {
  static let spec = """
    {"transforms": [{"type": "RandomFlip"}, {"type": "RandomRotation", "factor": 0.15, "fill_mode": "wrap"},
      {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": 0.1, "interpolation": "nearest"},
      {"type": "RandomCrop", "height": 16, "width": 18}, {"type": "RandomSaturation", "factor": 0.5},
      {"type": "RandomErasing", "factor": 0.5}],
     "original_probability": 0.1}
    """

  /// A store with a 40-image dataset and run `r`, materialized on `jobs` threads.
  static func materialized(
    jobs: Int, in folder: TemporaryDirectory, name: String, chunk: Int = Store.materializeChunk
  ) throws -> Store {
    let images = folder.appending("images")
    if !FileManager.default.fileExists(atPath: images) {
      try ImageFolder.make(at: images, classes: 4, perClass: 10, width: 25, height: 21)
    }
    let store = try Store.initialize(at: folder.appending(name)).store
    _ = try store.addDataset(named: "d", from: images)
    _ = try store.addPipeline(named: "p", specJSON: Array(spec.utf8), source: "spec.json")
    _ = try store.createRun(
      named: "r", dataset: DatasetReference(parsing: "d"), pipeline: PipelineReference(parsing: "p"),
      seed: 99,
      shuffle: true)
    _ = try store.materialize(
      run: "r", epochs: EpochSelection([0, 1, 2]), jobs: jobs, chunk: chunk, progress: nil)
    return store
  }

  static func digests(_ store: Store) throws -> [[Int: [UInt8]]] {
    let run = try store.catalog.run(named: "r")
    return try (0...2).map { try store.catalog.tensorDigests(run: run, epoch: $0) }
  }

  @Test func oneAndFourThreadsRenderTheSameTensors() throws {
    let folder = try TemporaryDirectory()
    let single = try Self.materialized(jobs: 1, in: folder, name: "one")
    let four = try Self.materialized(jobs: 4, in: folder, name: "four")
    let expected = try Self.digests(single)
    #expect(expected.allSatisfy { $0.count == 40 })
    #expect(try Self.digests(four) == expected)
    #expect(Set(expected[0].values).count > 30)
  }

  @Test func replayedTensorsEqualApplyingTheRecordsDirectly() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.materialized(jobs: 2, in: folder, name: "store")
    let details = try store.runDetails(named: "r")
    let spec = try Store.spec(of: details.pipeline)
    let samples = try store.catalog.samples(in: details.version)
    let records = try store.catalog.records(run: details.run, epoch: 1, samples: Array(0..<40))
    for record in records {
      let image = try store.originals.image(
        samples[record.sample].objectHash, pixelBudget: 1 << 20, version: .current)
      let bytes = try spec.apply(record.record, to: image).npy()
      #expect(TensorCache.digest(bytes) == record.digest)
    }
    let out = folder.appending("replay")
    let summary = try store.replay(run: "r", epoch: 1, selection: .sample("5"), to: out)
    #expect(summary.samples.count == 1 && summary.cached == 1)
    let file = try Files.read(out + "/" + (summary.samples[0].file ?? ""))
    #expect(TensorCache.digest(file) == records[5].digest)
  }

  @Test func laterEpochsReadDecodedOriginalsInsteadOfPNGs() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.materialized(jobs: 2, in: folder, name: "store")
    let totals = try store.cacheStats()
    // 40 decoded originals plus the distinct tensors of three epochs.
    #expect(totals.entries > 40)
    let objects = try store.catalog.samples(in: try store.runDetails(named: "r").version).map(\.objectHash)
    for hash in Set(objects) {
      try FileManager.default.removeItem(atPath: store.objects.path(of: hash))
    }
    let later = try store.materialize(run: "r", epochs: EpochSelection([3]), jobs: 2)
    #expect(later.epochs.first?.computed ?? 0 > 30)
    _ = try store.clearCache()
    #expect(throws: StoreError.self) {
      try store.materialize(run: "r", epochs: EpochSelection([4]), jobs: 2)
    }
  }

  @Test func damagedDecodedOriginalsAreNotServed() throws {
    let folder = try TemporaryDirectory()
    let store = try Self.materialized(jobs: 2, in: folder, name: "store")
    let details = try store.runDetails(named: "r")
    let renderer = try Renderer(store: store, details: details)
    let key = renderer.decodedKey(sample: 0)
    let entry = try #require(try store.catalog.cacheEntries(keys: [Data(key)])[Data(key)])
    #expect(entry.digest.count == 8)
    let path = store.cache.path(of: key)
    var bytes = try Files.read(path)
    #expect(TensorCache.checksum(bytes) == Array(entry.digest))
    // One flipped bit in the pixels: the read reports the file damaged and removes it.
    bytes[bytes.count - 1] ^= 0x10
    try FileManager.default.removeItem(atPath: path)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(store.cache.read(key: key, digest: Array(entry.digest)) == .damaged)
    #expect(!FileManager.default.fileExists(atPath: path))
    // Verify accepts the other decoded originals' checksums and names only the removed file.
    #expect(try store.verify().problems.map(\.path) == [path])
  }

  @Test(arguments: [1, 7, 40])
  func chunksCommitTheSameDigestsAndCacheAsOneChunk(chunk: Int) throws {
    let folder = try TemporaryDirectory()
    let whole = try Self.materialized(jobs: 2, in: folder, name: "whole", chunk: 1000)
    let chunked = try Self.materialized(jobs: 2, in: folder, name: "chunked", chunk: chunk)
    let expected = try Self.digests(whole)
    #expect(expected.allSatisfy { $0.count == 40 })
    #expect(try Self.digests(chunked) == expected)
    let (a, b) = (try whole.cacheStats(), try chunked.cacheStats())
    #expect(a.entries == b.entries && a.bytes == b.bytes && a.misses == b.misses && b.misses > 0)
    // A rerun serves every tensor from the cache, counted once per sample whatever the chunking.
    let updates = Mutex<[ProgressUpdate]>([])
    let again = try chunked.materialize(
      run: "r", epochs: EpochSelection([1]), jobs: 2, chunk: chunk,
      progress: { update in updates.withLock { $0.append(update) } })
    #expect(again.epochs.map(\.samples) == [40] && again.epochs.map(\.cached) == [40])
    let seen = updates.withLock { $0 }
    #expect(seen.count == 40 && seen.allSatisfy { $0.total == 40 })
    #expect(Set(seen.map(\.completed)) == Set(1...40))
    #expect(try chunked.verify().problems.isEmpty)
  }

  /// An epoch is committed chunk by chunk: when a later chunk fails, the chunks before it stay
  /// committed and sound, and a rerun completes the epoch with the same digests.
  @Test func aFailedChunkLeavesTheEarlierOnesCommittedAndARerunCompletes() throws {
    let folder = try TemporaryDirectory()
    let reference = try Self.digests(try Self.materialized(jobs: 2, in: folder, name: "reference"))[0]
    let store = try Store.initialize(at: folder.appending("store")).store
    _ = try store.addDataset(named: "d", from: folder.appending("images"))
    _ = try store.addPipeline(named: "p", specJSON: Array(Self.spec.utf8), source: "spec.json")
    _ = try store.createRun(
      named: "r", dataset: DatasetReference(parsing: "d"), pipeline: PipelineReference(parsing: "p"),
      seed: 99, shuffle: true)
    try store.record(run: "r", epochs: EpochSelection([0]))
    let run = try store.catalog.run(named: "r")
    // A wrong digest recorded for sample 30 (the fourth chunk of 8) makes that chunk fail.
    let wrong = [UInt8](repeating: 7, count: 32)
    try store.catalog.setTensorDigests(run: run, epoch: 0, [(30, wrong)])
    #expect {
      try store.materialize(run: "r", epochs: EpochSelection([0]), jobs: 2, chunk: 8, progress: nil)
    } throws: { error in
      guard case .digestMismatch(_, let epoch, let sample, _) = error as? StoreError else { return false }
      return epoch == 0 && sample == 30
    }
    let partial = try store.catalog.tensorDigests(run: run, epoch: 0)
    #expect(partial.keys.sorted() == Array(0..<24) + [30])
    #expect(partial.filter { $0.key < 24 } == reference.filter { $0.key < 24 })
    #expect(try store.verify().problems.isEmpty)
    try store.catalog.setTensorDigests(run: run, epoch: 0, [(30, try #require(reference[30]))])
    let rerun = try store.materialize(run: "r", epochs: EpochSelection([0]), jobs: 2, chunk: 8, progress: nil)
    #expect(rerun.epochs.first?.cached == 24 && rerun.epochs.first?.computed == 16)
    #expect(try store.catalog.tensorDigests(run: run, epoch: 0) == reference)
    #expect(try store.verify().problems.isEmpty)
  }
}

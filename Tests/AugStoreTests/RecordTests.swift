import AugStoreCatalog
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

@testable import AugStore

/// A store with one dataset version of `samples` 12×10 images and helpers to make runs over it.
struct RecordFixture {
  let folder: TemporaryDirectory
  let store: Store

  init(samples: Int = 40) throws {
    folder = try TemporaryDirectory()
    store = try Store.initialize(at: folder.appending("store")).store
    try ImageFolder.make(at: folder.appending("images"), classes: 4, perClass: samples / 4)
    _ = try store.addDataset(named: "photos", from: folder.appending("images"))
  }

  /// Adds pipeline `name` from `json` and creates run `run` over photos@v1.
  @discardableResult
  func makeRun(
    _ run: String, pipeline json: String, seed: UInt64 = 7, shuffle: Bool = true
  ) throws -> RunDetails {
    _ = try store.addPipeline(named: run + "-pipeline", specJSON: Array(json.utf8), source: "test.json")
    return try store.createRun(
      named: run, dataset: DatasetReference(parsing: "photos@v1"),
      pipeline: PipelineReference(parsing: run + "-pipeline"), seed: seed, shuffle: shuffle)
  }

  /// What drawing directly gives for every sample of photos@v1 in `epoch`.
  func drawn(_ details: RunDetails, epoch: Int) throws -> [SampleRecord] {
    let spec = try Store.spec(of: details.pipeline)
    return try store.catalog.sampleImages(in: details.version).map { image in
      try spec.drawRecord(
        seed: details.run.masterSeed, sampleKey: SampleKey(path: image.path), epoch: epoch,
        imageSize: ImageSize(height: image.height, width: image.width))
    }
  }

  /// Every row of record_blocks with its blobs, in key order.
  func blocksDump() throws -> [[QueryValue]] {
    try store.catalog.query(
      readOnlySQL:
        "SELECT run_id, epoch, block, count, positions, tensors, params FROM record_blocks ORDER BY 1, 2, 3"
    ).rows
  }
}

let realisticPipeline = """
  {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
  {"type": "RandomZoom", "height_factor": 0.1}, {"type": "RandomCrop", "height": 8, "width": 8},
  {"type": "RandomContrast", "factor": 0.2}]}
  """

@Suite struct RecordTests {
  @Test func recordingIsDeterministicAndIdempotent() throws {
    let first = try RecordFixture()
    let second = try RecordFixture()
    try first.makeRun("r", pipeline: realisticPipeline)
    try second.makeRun("r", pipeline: realisticPipeline)
    let summary = try first.store.record(run: "r", epochs: EpochSelection(parsing: "0-2,5"))
    #expect(summary.recorded == [0, 1, 2, 5] && summary.records == 160 && summary.samples == 40)
    try second.store.record(run: "r", epochs: EpochSelection(parsing: "5"))
    try second.store.record(run: "r", epochs: EpochSelection(parsing: "0-2"))
    let blocks = try first.blocksDump()
    #expect(blocks.count == 4)
    #expect(blocks == (try second.blocksDump()))

    let again = try first.store.record(run: "r", epochs: EpochSelection(parsing: "0-3"))
    #expect(again.recorded == [3] && again.alreadyRecorded == [0, 1, 2])
    let dump = try CatalogDump.dump(first.store.catalog.location)
    let third = try first.store.record(run: "r", epochs: EpochSelection(parsing: "0-3"))
    #expect(third.recorded.isEmpty && third.records == 0)
    #expect(try CatalogDump.dump(first.store.catalog.location) == dump)
    #expect(
      try first.store.catalog.recordedEpochs(run: first.store.runDetails(named: "r").run).map(\.epoch) == [
        0, 1, 2, 3, 5,
      ])
  }

  @Test(arguments: [true, false])
  func positionsFollowTheShuffleOrder(shuffle: Bool) throws {
    let fixture = try RecordFixture()
    let details = try fixture.makeRun("r", pipeline: realisticPipeline, seed: 99, shuffle: shuffle)
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0-3"))
    for epoch in 0...3 {
      let order = try fixture.store.catalog.epochOrder(run: details.run, epoch: epoch)
      #expect(order == ShuffleOrder.order(seed: 99, epoch: epoch, count: 40, shuffle: shuffle))
      #expect(Set(order) == Set(0..<40))
      let records = try fixture.store.catalog.records(run: details.run, epoch: epoch, samples: Array(0..<40))
      for record in records { #expect(order[record.position] == record.sample) }
    }
    if shuffle {
      #expect(try fixture.store.catalog.epochOrder(run: details.run, epoch: 0) != Array(0..<40))
    }
  }

  @Test func recordsDecodeToWhatDrawingGives() throws {
    let fixture = try RecordFixture()
    let details = try fixture.makeRun("r", pipeline: realisticPipeline)
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0-4"))
    for epoch in 0...4 {
      let expected = try fixture.drawn(details, epoch: epoch)
      let stored = try fixture.store.catalog.records(run: details.run, epoch: epoch, samples: Array(0..<40))
      #expect(stored.map(\.record) == expected)
      #expect(stored.allSatisfy { $0.digest == nil })
    }
    let history = try fixture.store.history(run: "r", sample: "17")
    #expect(history.epochs.map(\.epoch) == [0, 1, 2, 3, 4])
    #expect(
      history.transforms == ["RandomFlip", "RandomRotation", "RandomZoom", "RandomCrop", "RandomContrast"])
    for record in history.epochs {
      #expect(record.record == (try fixture.drawn(details, epoch: record.epoch))[17])
    }
    let byPath = try fixture.store.history(run: "r", sample: history.sample.path)
    #expect(byPath == history)
  }

  @Test func threadCountDoesNotChangeRecords() throws {
    let one = try RecordFixture(samples: 2400)
    let four = try RecordFixture(samples: 2400)
    try one.makeRun("r", pipeline: realisticPipeline)
    try four.makeRun("r", pipeline: realisticPipeline)
    try one.store.record(run: "r", epochs: EpochSelection(parsing: "0-2"), jobs: 1)
    try four.store.record(run: "r", epochs: EpochSelection(parsing: "0-2"), jobs: 4)
    let dump = try one.blocksDump()
    #expect(dump.count == 3 * 3)
    #expect(dump == (try four.blocksDump()))
  }

  @Test func flipHistoryAndNeverOriginal() throws {
    let fixture = try RecordFixture(samples: 100)
    let details = try fixture.makeRun(
      "flip", pipeline: #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}]}"#)
    try fixture.store.record(run: "flip", epochs: EpochSelection(parsing: "0-19"))
    let drawn = try (0..<20).map { try fixture.drawn(details, epoch: $0) }
    let history = try fixture.store.history(run: "flip", sample: "3")
    let flipped = history.epochs.filter { $0.record.params == [.flip(flips: true)] }.map(\.epoch)
    let expected = (0..<20).filter { drawn[$0][3].params == [.flip(flips: true)] }
    #expect(flipped == expected)
    #expect(!flipped.isEmpty && flipped.count < 20)

    let stats = try fixture.store.stats(run: "flip")
    let neverOriginal = (0..<100).filter { sample in
      (0..<20).allSatisfy { drawn[$0][sample].params == [.flip(flips: true)] }
    }
    #expect(stats.neverOriginal == neverOriginal.count)
    let flips = drawn.joined().filter { $0.params == [.flip(flips: true)] }.count
    #expect(stats.transforms.first?.changed == flips && stats.transforms.first?.applied == 2000)
    #expect(stats.unchangedRecords == 2000 - flips && stats.originalRecords == 0)
    #expect(stats.distinctTensors.source == "parameters" && stats.distinctTensors.max <= 2)
  }

  @Test func rotationNeverShowsTheOriginal() throws {
    let fixture = try RecordFixture(samples: 100)
    try fixture.makeRun("rot", pipeline: #"{"transforms": [{"type": "RandomRotation", "factor": 0.2}]}"#)
    try fixture.store.record(run: "rot", epochs: EpochSelection(parsing: "0-19"))
    let stats = try fixture.store.stats(run: "rot")
    #expect(stats.neverOriginal == 100)
    let angle = try #require(stats.transforms.first?.parameters.first)
    #expect(angle.name == "angle" && angle.count == 2000)
    #expect(angle.min >= -72 && angle.max <= 72 && angle.min < -60 && angle.max > 60)
    #expect(angle.histogram.count == 10 && angle.histogram.map(\.count).reduce(0, +) == 2000)
    #expect(stats.distinctTensors.min == 20)
  }

  @Test func originalProbabilityMatchesTheBinomialExpectation() throws {
    let fixture = try RecordFixture(samples: 100)
    try fixture.makeRun(
      "p",
      pipeline: #"{"transforms": [{"type": "RandomRotation", "factor": 0.1}], "original_probability": 0.2}"#)
    try fixture.store.record(run: "p", epochs: EpochSelection(parsing: "0-19"))
    let stats = try fixture.store.stats(run: "p")
    // P(never original) = 0.8^20 ≈ 0.0115: about 1.2 of 100 samples; P(more than 8) is below 1e-5.
    #expect(stats.neverOriginal <= 8)
    // 2000 sample-epochs with p = 0.2: standard deviation ≈ 0.009, so 0.2 ± 0.05 is > 5 sigma.
    let fraction = Double(stats.originalRecords) / 2000
    #expect(abs(fraction - 0.2) <= 0.05)
    #expect(stats.transforms.first?.applied == 2000 - stats.originalRecords)
    for epoch in try fixture.store.catalog.recordedEpochs(run: fixture.store.runDetails(named: "p").run) {
      #expect(epoch.originalCount > 0 && epoch.originalCount < 50)
    }
  }

  @Test func unrecordedEpochsAreNamed() throws {
    let fixture = try RecordFixture()
    try fixture.makeRun("r", pipeline: realisticPipeline)
    #expect(throws: StoreError.noRecordedEpochs(run: "r")) {
      try fixture.store.history(run: "r", sample: "1")
    }
    #expect(throws: StoreError.noRecordedEpochs(run: "r")) { try fixture.store.stats(run: "r") }
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0"))
    #expect(throws: CatalogError.epochNotRecorded(run: "r", epoch: 4)) {
      try fixture.store.stats(run: "r", epochs: EpochSelection(parsing: "4"))
    }
    #expect(throws: CatalogError.epochNotRecorded(run: "r", epoch: 2)) {
      try fixture.store.history(run: "r", sample: "1", epochs: EpochSelection(parsing: "0,2"))
    }
    #expect(throws: StoreError.sampleNotFound(run: "r", sample: "40")) {
      try fixture.store.history(run: "r", sample: "40")
    }
    #expect(throws: StoreError.sampleNotFound(run: "r", sample: "nope.png")) {
      try fixture.store.history(run: "r", sample: "nope.png")
    }
  }

  @Test func tensorDigestsAreStoredOnceAndReadBack() throws {
    let fixture = try RecordFixture()
    let details = try fixture.makeRun("r", pipeline: realisticPipeline)
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0-1"))
    let digestA = [UInt8](repeating: 0xAB, count: 32)
    let digestB = (0..<32).map { UInt8($0) }
    try fixture.store.catalog.setTensorDigests(
      run: details.run, epoch: 1, [(3, digestA), (4, digestA), (39, digestB)])
    #expect(
      try fixture.store.catalog.tensorDigests(run: details.run, epoch: 1) == [
        3: digestA, 4: digestA, 39: digestB,
      ])
    #expect(try fixture.store.catalog.tensorDigests(run: details.run, epoch: 0).isEmpty)
    let tensors = try fixture.store.catalog.query(readOnlySQL: "SELECT count(*) FROM tensors")
    #expect(tensors.rows == [[.integer(2)]])
    let history = try fixture.store.history(run: "r", sample: "3")
    #expect(history.epochs.map(\.digest) == [nil, digestA])
    #expect(throws: CatalogError.invalidDigest(run: "r", epoch: 0, sample: 1, byteCount: 3)) {
      try fixture.store.catalog.setTensorDigests(run: details.run, epoch: 0, [(1, [1, 2, 3])])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: "r", epoch: 7)) {
      try fixture.store.catalog.setTensorDigests(run: details.run, epoch: 7, [(1, digestA)])
    }
    #expect(throws: CatalogError.sampleOutOfRange(run: "r", sample: 40, count: 40)) {
      try fixture.store.catalog.setTensorDigests(run: details.run, epoch: 0, [(40, digestA)])
    }
  }

  @Test(arguments: ["0", "0-9", "0-2,5,7-9", " 3 , 1 ", "2-2"])
  func epochSelectionParses(text: String) throws {
    let expected: [String: [Int]] = [
      "0": [0], "0-9": Array(0...9), "0-2,5,7-9": [0, 1, 2, 5, 7, 8, 9], " 3 , 1 ": [1, 3], "2-2": [2],
    ]
    #expect(try EpochSelection(parsing: text).epochs == expected[text])
    #expect(try EpochSelection(parsing: "0-2,5,7-9").description == "0-2,5,7-9")
  }

  @Test(arguments: ["", "-1", "a", "3-1", "1,,2", "1-2-3", "0-99999999", "1.5", "٣"])
  func epochSelectionRefusesBadInput(text: String) {
    #expect(throws: StoreError.self) { try EpochSelection(parsing: text) }
  }
}

import AugStoreMigrations
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import GRDB
import PostgresNIO
import Synchronization
import Testing

@testable import AugStoreCatalog
@testable import AugStorePostgres

@Suite struct RecordsCatalogTests {
  static let records: [SampleRecord] = [
    SampleRecord(original: true, params: []),
    SampleRecord(original: false, params: [.flip(flips: true), .rotation(angle: -12.5), .none]),
    SampleRecord(
      original: false,
      params: [
        .zoom(heightZoom: 1.1, widthZoom: 0.9), .translation(translateX: 3, translateY: -2),
        .shear(shearX: 0.2, shearY: -0.1),
        .gaussianBlur(shouldApplyBlur: true, blurFactorX: 0.5, blurFactorY: 0.25),
        .perspective(applyPerspective: false, endPoints: [0, 0, 9, 1, 2, 8, 10, 9]),
        .elasticTransform(applyTransform: true, distortionFactor: 0.75, noiseSeed: 0x0123_4567_89AB_CDEF),
        .crop(x: 300, y: 2),
        .brightness(rgbDelta: 4), .contrast(contrastFactor: 0.8), .saturation(saturationFactor: 1.2),
        .hue(hueFactor: -0.1), .grayscale(grayscale: false), .erasing(nil),
        .erasing(ErasingBox(x: 1, y: 2, width: 3, height: 4, noiseSeed: 0xDEAD_BEEF)),
        .erasing(ErasingBox(x: 1000, y: 2, width: 3, height: 4, noiseSeed: nil)),
      ]),
  ]

  @Test func blocksSkipToEveryRecord() throws {
    var builder = RecordBlockBuilder(block: 2, expectedCount: 30)
    var expected: [SampleRecord] = []
    for index in 0..<30 {
      let record = Self.records[index % Self.records.count]
      builder.append(position: 1000 - index, record: record)
      expected.append(record)
    }
    let block = builder.block
    #expect(block.count == 30 && block.firstSample == 2048 && builder.originalCount == 10)
    #expect(try block.records() == expected)
    for index in 0..<30 {
      #expect(try block.record(at: index) == expected[index])
      #expect(block.position(at: index) == 1000 - index)
      #expect(block.tensorId(at: index) == nil)
    }
    #expect(throws: SampleRecordDecodingError.self) { try block.record(at: 30) }
    var damaged = block
    damaged.params[damaged.params.count - 1 - 3] = 0xFF
    damaged.params.removeLast(2)
    #expect(throws: SampleRecordDecodingError.self) { try damaged.records() }
  }

  @Test(arguments: [[Int](0..<30), [29, 3, 17, 0, 29], [5]])
  func walkedRangesMatchSkippedRanges(order: [Int]) throws {
    var builder = RecordBlockBuilder(block: 0, expectedCount: 30)
    for index in 0..<30 {
      builder.append(position: index, record: Self.records[(index * 7) % Self.records.count])
    }
    let block = builder.block
    var starts: [Int] = []
    var furthest = 0
    for index in order {
      #expect(try block.recordRange(at: index, starts: &starts) == block.recordRange(at: index))
      // Walked as far as the furthest record asked for, and no further.
      furthest = max(furthest, index)
      #expect(starts.count == furthest + 2)
    }
    #expect(throws: SampleRecordDecodingError.self) { try block.recordRange(at: 30, starts: &starts) }
    // A damaged record after the ones read is not reached.
    var damaged = block
    damaged.params.removeLast(3)
    var fresh: [Int] = []
    #expect(try damaged.recordRange(at: 5, starts: &fresh) == block.recordRange(at: 5))
    #expect(throws: SampleRecordDecodingError.self) { try damaged.recordRange(at: 29, starts: &fresh) }
  }

  @Test func schemaHasTheRecordTablesAndViews() throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    #expect(try catalog.schemaVersion() == SchemaMigrations.latestVersion)
    let names = try catalog.query(
      readOnlySQL: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
    ).rows.compactMap { row -> String? in
      if case .text(let name) = row.first { return name }
      return nil
    }
    for name in ["augmentation_params", "augmentation_records", "epochs", "record_blocks", "tensors"] {
      #expect(names.contains(name))
    }
    #expect(
      try catalog.query(readOnlySQL: "SELECT count(*) FROM augmentation_params").rows == [[.integer(0)]])
  }

  @Test func sqlFunctionsDecodeRecords() throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    let record = Self.records[1]
    let hex = record.encoded().map { String(format: "%02x", $0) }.joined()
    let concatenated = (Self.records[0].encoded() + record.encoded()).map { String(format: "%02x", $0) }
      .joined()
    let result = try catalog.query(
      readOnlySQL: """
        SELECT augstore_original(x'\(hex)'), augstore_record_json(x'\(hex)'), augstore_params_json(x'\(hex)', 1),
          augstore_params_json(x'\(hex)', 2), augstore_params_json(x'\(hex)', 3),
          augstore_record(x'\(concatenated)', 1) = x'\(hex)'
        """)
    #expect(
      result.rows == [
        [.integer(0), .text(record.jsonString), .text("{\"angle\":-12.5}"), .text("{}"), .null, .integer(1)]
      ])
    #expect(throws: CatalogError.self) {
      try catalog.query(readOnlySQL: "SELECT augstore_record_json(x'0201')")
    }
  }

  // MARK: Records through the catalog, on both engines

  /// An epoch of `count` samples: sample `s` at position `(s * 7 + epoch) % count`, records cycling
  /// through `records`.
  static func epoch(_ epoch: Int, count: Int) -> EpochRecords {
    var blocks: [RecordBlock] = []
    var originals = 0
    for first in stride(from: 0, to: count, by: RecordBlock.size) {
      var builder = RecordBlockBuilder(block: first / RecordBlock.size, expectedCount: RecordBlock.size)
      for sample in first..<min(first + RecordBlock.size, count) {
        builder.append(position: (sample * 7 + epoch) % count, record: record(sample, epoch))
      }
      originals += builder.originalCount
      blocks.append(builder.block)
    }
    return EpochRecords(epoch: epoch, sampleCount: count, originalCount: originals, blocks: blocks)
  }

  static func record(_ sample: Int, _ epoch: Int) -> SampleRecord {
    records[(sample + epoch) % records.count]
  }

  /// A distinct 32-byte digest per value: its 8 little-endian bytes, then a filler.
  static func digest(_ value: Int) -> [UInt8] {
    (0..<32).map { UInt8(truncatingIfNeeded: $0 < 8 ? value >> (8 * $0) : value &* 31 &+ $0) }
  }

  /// Epochs of several blocks read back whole through every read path, in the SQLite catalog's
  /// orders, with its errors.
  @Test(arguments: CatalogEngine.allCases)
  func epochsReadBackThroughEveryPath(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let count = 2500
    let run = try scratch.makeRun(samples: count)
    let epochs = [Self.epoch(0, count: count), Self.epoch(1, count: count)]
    #expect(epochs[0].blocks.count == 3 && epochs[0].blocks[2].count == 452)
    #expect(try catalog.writeEpoch(run: run, epochs[1]))
    #expect(try catalog.writeEpoch(run: run, epochs[0]))
    #expect(try !catalog.writeEpoch(run: run, epochs[0]))
    let recorded = try catalog.recordedEpochs(run: run)
    #expect(recorded.map(\.epoch) == [0, 1] && recorded.allSatisfy { $0.sampleCount == count })
    #expect(recorded[0].originalCount == epochs[0].originalCount && !recorded[0].recordedAt.isEmpty)
    #expect(try scratch.count("SELECT count(*) FROM record_blocks") == 6)

    #expect(
      try catalog.blocks(run: run, block: 2, epochs: [1, 0, 1]) == [
        epochs[1].blocks[2], epochs[0].blocks[2], epochs[1].blocks[2],
      ])
    var walked: [RecordBlock] = []
    try catalog.forEachBlock(run: run, epoch: 1) { walked.append($0) }
    #expect(walked == epochs[1].blocks)
    var across: [[RecordBlock]] = []
    try catalog.forEachBlockAcrossEpochs(run: run, epochs: [1, 0]) { across.append($0) }
    #expect(across == (0..<3).map { [epochs[1].blocks[$0], epochs[0].blocks[$0]] })

    let order = try catalog.epochOrder(run: run, epoch: 1)
    #expect(order.count == count)
    for sample in [0, 1023, 1024, 2499] { #expect(order[(sample * 7 + 1) % count] == sample) }

    let samples = [2499, 0, 1500, 0, 1024]
    #expect(
      try catalog.records(run: run, epoch: 0, samples: samples)
        == samples.map {
          StoredRecord(
            epoch: 0, sample: $0, position: ($0 * 7) % count, record: Self.record($0, 0), digest: nil)
        })
    let history = try catalog.history(run: run, sample: 1500)
    #expect(
      history
        == [0, 1].map {
          StoredRecord(
            epoch: $0, sample: 1500, position: (1500 * 7 + $0) % count, record: Self.record(1500, $0),
            digest: nil)
        })
    #expect(try catalog.history(run: run, sample: 1500, epochs: [1, 0]) == history.reversed())
    #expect(try catalog.history(run: run, sample: 1500, epochs: []) == [])

    let name = run.name
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 5)) {
      try catalog.history(run: run, sample: 3, epochs: [0, 5])
    }
    #expect(throws: CatalogError.sampleOutOfRange(run: name, sample: count, count: count)) {
      try catalog.history(run: run, sample: count)
    }
    #expect(throws: CatalogError.sampleOutOfRange(run: name, sample: -1, count: count)) {
      try catalog.history(run: run, sample: -1)
    }
    #expect(throws: CatalogError.sampleOutOfRange(run: name, sample: -1, count: count)) {
      try catalog.records(run: run, epoch: 0, samples: [3, -1])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 2)) {
      try catalog.records(run: run, epoch: 2, samples: [3])
    }
    #expect(throws: CatalogError.corruptRecords(run: name, epoch: 0, block: 3, reason: "block missing")) {
      try catalog.blocks(run: run, block: 3, epochs: [0])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 7)) {
      try catalog.blocks(run: run, block: 0, epochs: [0, 7])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 9)) {
      try catalog.forEachBlockAcrossEpochs(run: run, epochs: [0, 9]) { _ in }
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 9)) {
      try catalog.forEachBlock(run: run, epoch: 9) { _ in }
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 9)) {
      try catalog.epochOrder(run: run, epoch: 9)
    }
    // A missing block is reported, not skipped.
    try scratch.execute("DELETE FROM record_blocks WHERE epoch = 0 AND block = 1;")
    #expect(throws: CatalogError.corruptRecords(run: name, epoch: 0, block: 1, reason: "block missing")) {
      try catalog.history(run: run, sample: 1500)
    }
    #expect(throws: CatalogError.corruptRecords(run: name, epoch: 0, block: 1, reason: "block missing")) {
      try catalog.forEachBlockAcrossEpochs(run: run, epochs: [1, 0]) { _ in }
    }
    #expect(throws: CatalogError.corruptRecords(run: name, epoch: 0, block: 0, reason: "positions missing")) {
      try catalog.epochOrder(run: run, epoch: 0)
    }
  }

  /// `history` finds the record of every sample, wherever it sits in its block: the PostgreSQL
  /// catalog reads only the sample's group of records through `starts` (schema pg0002), and reads
  /// blocks written before that column whole.
  @Test(arguments: CatalogEngine.allCases)
  func historyFindsEverySampleOfEveryBlock(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let count = 2500
    let run = try scratch.makeRun(samples: count)
    try scratch.catalog.writeEpoch(run: run, Self.epoch(3, count: count))
    func expectEverySample() throws {
      for sample in 0..<count {
        let found = try scratch.catalog.history(run: run, sample: sample)
        #expect(found.map(\.record) == [Self.record(sample, 3)], "sample \(sample)")
        #expect(found.map(\.position) == [(sample * 7 + 3) % count], "sample \(sample)")
      }
    }
    try expectEverySample()
    if engine == .postgresql {
      #expect(try scratch.count("SELECT count(*) FROM record_blocks WHERE starts IS NOT NULL") == 3)
      try scratch.execute("UPDATE record_blocks SET starts = NULL;")
      try expectEverySample()
    }
  }

  /// A block's `starts` (PostgreSQL schema pg0002) holds where every 32nd record begins and where the
  /// last ends, whether walked from the bytes or kept by the builder; bytes that are not whole records
  /// have none.
  @Test func startsMarkEveryThirtySecondRecord() throws {
    for count in [1, 31, 32, 33, 1024] {
      var builder = RecordBlockBuilder(block: 0, expectedCount: count)
      for sample in 0..<count { builder.append(position: sample, record: Self.record(sample, 0)) }
      let block = builder.block
      let starts = try #require(PostgresCatalog.recordStarts(block.params))
      let expected =
        try stride(from: 0, to: count, by: PostgresCatalog.startsStride).map {
          try block.recordRange(at: $0).lowerBound
        } + [block.params.count]
      #expect((0..<(starts.count / 4)).map { Int(RecordBlock.u32(starts, at: $0) ?? 0) } == expected)
      #expect(starts.count == 4 * expected.count)
      #expect(PostgresCatalog.recordStarts(Array(block.params.dropLast())) == nil)
      // The builder keeps the same offsets as it appends, and they are not part of the block's value.
      #expect(block.groupStarts == starts)
      var unindexed = block
      unindexed.groupStarts = nil
      #expect(unindexed == block)
    }
  }

  /// Every byte value, including those the `COPY` text format escapes (tab, newline, backslash), is
  /// stored and read back unchanged.
  @Test(arguments: CatalogEngine.allCases)
  func blocksKeepEveryByteValue(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let run = try scratch.makeRun(samples: 64)
    let bytes = [UInt8](0...255) + [0x5C, 0x5C, 0x0A, 0x09, 0x0D, 0x4E, 0x5C, 0x4E]
    let block = RecordBlock(
      block: 0, count: 64, positions: [UInt8](bytes.reversed().prefix(256)), tensors: nil, params: bytes)
    #expect(
      try scratch.catalog.writeEpoch(
        run: run, EpochRecords(epoch: 3, sampleCount: 64, originalCount: 0, blocks: [block])))
    #expect(try scratch.catalog.blocks(run: run, block: 0, epochs: [3]) == [block])
  }

  /// The text written for `COPY`: fields, nulls and bytea exactly as PostgreSQL reads them.
  @Test func copyTextEscapesBytea() throws {
    var text = PostgresCopyText(capacity: 4)
    text.integer(-12)
    text.null()
    text.bytea([0x00, 0x09, 0x0A, 0x5C, 0xAB, 0xFF])
    text.bytea([])
    text.endRow()
    text.integer(7)
    text.endRow()
    #expect(String(buffer: text.buffer) == "-12\t\\N\t\\\\x00090a5cabff\t\\\\x\n7\n")
    var every = PostgresCopyText(capacity: 0)
    every.bytea([UInt8](0...255))
    #expect(
      String(buffer: every.buffer)
        == "\\\\x" + (0...255).map { String(format: "%02x", $0) }.joined())
  }

  /// Digests: each distinct digest stored once, later settings replace a sample's reference, read
  /// back through every path; a call that fails changes nothing.
  @Test(arguments: CatalogEngine.allCases)
  func digestsAreStoredOnceAndReadBack(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let count = 1100
    let run = try scratch.makeRun(samples: count)
    try catalog.writeEpoch(run: run, Self.epoch(0, count: count))
    let (a, b, c) = (Self.digest(1), Self.digest(2), Self.digest(3))
    try catalog.setTensorDigests(run: run, epoch: 0, [(0, a), (1030, b), (5, a)])
    #expect(try catalog.materializedCount(run: run, epoch: 0) == 3)
    #expect(try catalog.tensorDigests(run: run, epoch: 0) == [0: a, 1030: b, 5: a])
    #expect(try catalog.tensorDigests(run: run, epoch: 0, samples: [5, 6, 1030]) == [1030: b, 5: a])
    #expect(try catalog.history(run: run, sample: 1030).map(\.digest) == [b])
    #expect(try catalog.records(run: run, epoch: 0, samples: [5, 6, 1030]).map(\.digest) == [a, nil, b])
    #expect(try catalog.blocks(run: run, block: 1, epochs: [0])[0].tensorId(at: 6) != nil)
    try catalog.setTensorDigests(run: run, epoch: 0, [(5, b), (7, c), (7, a)])
    #expect(try catalog.tensorDigests(run: run, epoch: 0) == [0: a, 1030: b, 5: b, 7: a])
    #expect(try scratch.count("SELECT count(*) FROM tensors") == 3)

    let name = run.name
    let before = try catalog.tensorDigests(run: run, epoch: 0)
    #expect(throws: CatalogError.sampleOutOfRange(run: name, sample: count, count: count)) {
      try catalog.setTensorDigests(run: run, epoch: 0, [(8, Self.digest(9)), (count, Self.digest(9))])
    }
    #expect(throws: CatalogError.invalidDigest(run: name, epoch: 0, sample: 9, byteCount: 31)) {
      try catalog.setTensorDigests(run: run, epoch: 0, [(8, Self.digest(9)), (9, Array(a.prefix(31)))])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 1)) {
      try catalog.setTensorDigests(run: run, epoch: 1, [(8, Self.digest(9))])
    }
    #expect(throws: CatalogError.epochNotRecorded(run: name, epoch: 1)) {
      try catalog.materializedCount(run: run, epoch: 1)
    }
    #expect(try catalog.tensorDigests(run: run, epoch: 0) == before)
    #expect(try scratch.count("SELECT count(*) FROM tensors") == 3)
  }

  /// An epoch whose blocks cannot all be stored leaves no trace: no `epochs` row, no block.
  @Test(arguments: CatalogEngine.allCases)
  func failedEpochWriteChangesNothing(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let run = try scratch.makeRun(samples: 3000)
    var broken = Self.epoch(4, count: 3000)
    broken.blocks[2].block = 1
    #expect(throws: CatalogError.self) { try scratch.catalog.writeEpoch(run: run, broken) }
    #expect(try scratch.catalog.recordedEpochs(run: run) == [])
    #expect(try scratch.count("SELECT count(*) FROM record_blocks") == 0)
    #expect(try scratch.catalog.writeEpoch(run: run, Self.epoch(4, count: 3000)))
  }

  /// Two catalog objects (two processes or hosts) record the same epoch and the same digests at
  /// once: the epoch is written once, each digest stored once, every sample gets its digest.
  @Test(arguments: CatalogEngine.allCases)
  func concurrentWritersAgree(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let count = 3000
    let run = try scratch.makeRun(samples: count)
    let catalogs = [scratch.catalog, try scratch.reopen()]
    let epoch = Self.epoch(2, count: count)
    let written = Mutex<[Bool]>([])
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 2) { worker in
      do {
        let fresh = try catalogs[worker].writeEpoch(run: run, epoch)
        written.withLock { $0.append(fresh) }
        // The workers walk the samples in opposite orders; several samples share a digest.
        let samples = worker == 0 ? Array(0..<count) : Array((0..<count).reversed())
        for start in stride(from: 0, to: count, by: 250) {
          let slice = samples[start..<start + 250]
          try catalogs[worker].setTensorDigests(run: run, epoch: 2, slice.map { ($0, Self.digest($0 % 700)) })
        }
      } catch {
        failures.withLock { $0.append("\(error)") }
      }
    }
    #expect(failures.withLock { $0 } == [])
    #expect(written.withLock { $0.map { $0 ? 1 : 0 }.sorted() } == [0, 1])
    #expect(try scratch.count("SELECT count(*) FROM epochs") == 1)
    #expect(try scratch.count("SELECT count(*) FROM record_blocks") == 3)
    #expect(try scratch.count("SELECT count(*) FROM tensors") == 700)
    let expected = Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, Self.digest($0 % 700)) })
    for catalog in catalogs {
      #expect(try catalog.materializedCount(run: run, epoch: 2) == count)
      #expect(try catalog.tensorDigests(run: run, epoch: 2) == expected)
    }
  }
}

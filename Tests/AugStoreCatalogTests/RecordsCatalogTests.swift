import AugStoreMigrations
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import GRDB
import Testing

@testable import AugStoreCatalog

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
}

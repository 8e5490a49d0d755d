import AugStoreTransforms
import Testing

@testable import AugStoreCatalog

/// Record blocks skip over RandAugment's nested parameters (tag 24) to reach any record.
@Suite struct CompositeRecordBlockTests {
  static let records: [SampleRecord] = [
    SampleRecord(
      original: false,
      params: [
        .randAugment(ops: [
          CompositeOp(index: 3, params: .brightness(rgbDelta: 12)),
          CompositeOp(index: 1, params: .translation(translateX: 2.5, translateY: -1)),
        ]),
        .flip(flips: false),
      ]),
    SampleRecord(original: true, params: []),
    SampleRecord(original: false, params: [.randAugment(ops: []), .flip(flips: true)]),
    SampleRecord(
      original: false,
      params: [
        .randAugment(ops: [
          CompositeOp(index: 9, params: .none), CompositeOp(index: 9, params: .none),
          CompositeOp(index: 4, params: .colorDegeneration(factor: 0.25)),
        ]),
        .flip(flips: true),
      ]),
  ]

  @Test func blocksSkipOverRandAugmentParameters() throws {
    var builder = RecordBlockBuilder(block: 0, expectedCount: 17)
    var expected: [SampleRecord] = []
    for index in 0..<17 {
      let record = Self.records[index % Self.records.count]
      builder.append(position: index, record: record)
      expected.append(record)
    }
    let block = builder.block
    #expect(try block.records() == expected)
    for index in (0..<17).reversed() {
      #expect(try block.record(at: index) == expected[index])
    }
    for record in Self.records {
      let bytes = record.encoded()
      #expect(try RecordBlock.recordEnd(in: bytes, from: 0) == bytes.count)
      #expect(throws: SampleRecordDecodingError.self) {
        try RecordBlock.recordEnd(in: Array(bytes.dropLast()), from: 0)
      }
    }
  }
}

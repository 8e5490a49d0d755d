import AugStoreTransforms
import Testing

@testable import AugStoreCatalog

/// Record blocks skip over RandAugment's and AugMix's nested parameters (tags 24, 25) to reach any record.
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
    SampleRecord(
      original: false,
      params: [
        .augMix(
          AugMixParams(
            chainWeights: [0.5, 0.25, 0.25], inputWeight: 0.375,
            chains: [
              [CompositeOp(index: 6, params: .none), CompositeOp(index: 2, params: .rotation(angle: 4))],
              [],
              [CompositeOp(index: 3, params: .posterization(shiftFactor: 5))],
            ])),
        .flip(flips: false),
      ]),
    SampleRecord(
      original: false,
      params: [.augMix(AugMixParams(chainWeights: [1], inputWeight: 0.5, chains: [[]])), .flip(flips: true)]),
  ]

  @Test func blocksSkipOverCompositeParameters() throws {
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

import AugStoreTransforms
import Testing

@testable import AugStoreCatalog

/// Record blocks skip over the colour layers' parameters (tags 12 to 15, 18 and 19) to reach any record.
@Suite struct ColourRecordBlockTests {
  static let records: [SampleRecord] = [
    SampleRecord(
      original: false,
      params: [
        .invert(applyInversion: true), .solarization(additions: 3.5, thresholds: 128),
        .posterization(shiftFactor: 4), .colorDegeneration(factor: -0.3), .none, .none,
        .sharpness(factor: 0.7),
        .colorJitter(
          ColorJitterParams(rgbDelta: 12, contrastFactor: 1.1, saturationFactor: 0.5, hueFactor: -0.05)),
      ]),
    SampleRecord(original: true, params: []),
    SampleRecord(
      original: false,
      params: [
        .invert(applyInversion: false), .solarization(additions: 0, thresholds: 0),
        .posterization(shiftFactor: 0), .colorDegeneration(factor: 0), .none, .none,
        .sharpness(factor: 0.5),
        .colorJitter(
          ColorJitterParams(rgbDelta: nil, contrastFactor: 0.9, saturationFactor: nil, hueFactor: nil)),
      ]),
  ]

  @Test func blocksSkipOverColourParameters() throws {
    var builder = RecordBlockBuilder(block: 0, expectedCount: 21)
    var expected: [SampleRecord] = []
    for index in 0..<21 {
      let record = Self.records[index % Self.records.count]
      builder.append(position: index, record: record)
      expected.append(record)
    }
    let block = builder.block
    #expect(try block.records() == expected)
    for index in (0..<21).reversed() {
      #expect(try block.record(at: index) == expected[index])
    }
    for record in Self.records {
      let bytes = record.encoded()
      #expect(try RecordBlock.recordEnd(in: bytes, from: 0) == bytes.count)
    }
  }
}

import Testing

@testable import AugStore

@Suite("XXH64")
struct XXH64Tests {
  /// Reference values from the `xxhash` Python package (xxhash.xxh64, seed 0), covering the empty
  /// input, the tail-only path (< 32 bytes), exactly one stripe, and long inputs with every tail.
  @Test(arguments: [
    (0, 0xEF46_DB37_51D8_E999 as UInt64), (31, 0xC346_D2B5_9B4D_8EE1), (32, 0xCBF5_9C51_16FF_32B4),
    (33, 0x0C53_5D1A_CAFB_8EAD),
  ])
  func matchesReferenceOnCountingBytes(count: Int, expected: UInt64) {
    #expect(XXH64.hash((0..<count).map { UInt8($0) }) == expected)
  }

  @Test func matchesReferenceOnText() {
    #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
    #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
  }

  @Test func matchesReferenceOnLongInputs() {
    #expect(XXH64.hash((0..<1000).map { UInt8($0 * 7 % 256) }) == 0x2527_5608_A9CF_C168)
    #expect(XXH64.hash((0..<100_003).map { UInt8($0 * 13 % 251) }) == 0x1F38_5B50_FF4B_DF8D)
  }
}

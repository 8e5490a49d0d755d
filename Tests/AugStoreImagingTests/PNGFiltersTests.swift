import AugStoreTransforms
import Testing

@testable import AugStoreImaging

/// PNG's row filters: the two-row Paeth path against the row-by-row one.
@Suite struct PNGFiltersTests {
  /// `count` bytes drawn from Philox (key: the test's, counter: `stream` and the word index).
  static func bytes(_ count: Int, stream: UInt64) -> [UInt8] {
    (0..<count).map { index in
      let word = Philox4x64.block(
        key: SIMD2(0x706E_6766_696C_7472, stream), counter: SIMD4(UInt64(index / 32), 0, 0, 0))[
          (index / 8) % 4]
      return UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
    }
  }

  /// Two Paeth rows undone together equal the same rows undone one after the other, for every width
  /// from 2 to 40 pixels of 3 and 4 bytes, and nothing around them changes (the row above, the filter
  /// bytes, what follows the second row).
  @Test(arguments: [3, 4])
  func aPaethRowPairEqualsTwoPaethRows(bpp: Int) throws {
    for pixels in 2...40 {
      let count = pixels * bpp
      // [filter][prior][filter 4][line][filter 4][next][8 bytes after]
      var buffer = Self.bytes(3 * (count + 1) + 8, stream: UInt64(pixels * 10 + bpp))
      buffer[count + 1] = 4
      buffer[2 * (count + 1)] = 4
      var expected = buffer
      try expected.withUnsafeMutableBufferPointer { raw in
        let base = try #require(raw.baseAddress)
        try PNGFilters.unfilterRow(base + count + 2, prior: base + 1, count: count, bpp: bpp, filter: 4)
        try PNGFilters.unfilterRow(
          base + 2 * count + 3, prior: base + count + 2, count: count, bpp: bpp, filter: 4)
      }
      try buffer.withUnsafeMutableBufferPointer { raw in
        let base = try #require(raw.baseAddress)
        PNGFilters.paethRowPair(base + count + 2, prior: base + 1, count: count, bpp: bpp)
      }
      #expect(buffer == expected, "\(pixels) pixels of \(bpp) bytes")
    }
  }

  /// The vector predictor chooses as the scalar one does for every left, up and upper-left byte
  /// (ties included: left before up before upper left).
  @Test func theVectorPredictorMatchesTheScalarOneEverywhere() {
    var mismatches: [String] = []
    for a in 0..<256 {
      for b in 0..<256 {
        for c in stride(from: 0, to: 256, by: 8) {
          let uppers = SIMD8<Int16>(0, 1, 2, 3, 4, 5, 6, 7) &+ Int16(c)
          let vector = PNGFilters.paeth(SIMD8(repeating: Int16(a)), SIMD8(repeating: Int16(b)), uppers)
          for lane in 0..<8 where Int32(vector[lane]) != PNGFilters.paeth(Int32(a), Int32(b), Int32(c + lane))
          {
            mismatches.append("a \(a) b \(b) c \(c + lane)")
          }
        }
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
  }
}

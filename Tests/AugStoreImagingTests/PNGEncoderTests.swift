import Testing

@testable import AugStoreImaging

@Suite("PNG encoder")
struct PNGEncoderTests {
  /// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
  static func noise(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
  }

  @Test("encode then decode returns the same tensor", arguments: [1, 2, 3, 4], [false, true])
  func roundTrip(channels: Int, fast: Bool) throws {
    for (height, width) in [(1, 1), (11, 13), (64, 3)] {
      var pixels = Self.noise(count: height * width * channels, seed: UInt64(channels * 1000 + width))
      if channels == 2 || channels == 4 {
        // A transparent pixel with non-zero colour: must survive (no premultiplication).
        pixels[channels - 1] = 0
        pixels[0] = 200
      }
      let tensor = Tensor(height: height, width: width, channels: channels, pixels: pixels)
      let png = try PNGEncoder.encode(tensor, fast: fast)
      #expect(Array(png.prefix(8)) == PNGDecoder.signature)
      let header = try PNGDecoder.header(of: png)
      #expect(header.bitDepth == 8 && header.channels == channels && !header.interlaced)
      #expect(try PNGDecoder.decode(png) == tensor)
    }
  }

  @Test("re-encoding a decoded fixture keeps its pixels")
  func reencodeFixture() throws {
    let original = try PNGDecoder.decode(Fixtures.bytes("png", "palette4_trns_13x11_adam7.png"))
    let again = try PNGDecoder.decode(PNGEncoder.encode(original))
    #expect(again == original)
    #expect(again.channels == 4)
  }

  @Test("a uniform image compresses far below its raw size")
  func compresses() throws {
    let tensor = Tensor(height: 256, width: 256, channels: 3, repeating: 7)
    let png = try PNGEncoder.encode(tensor)
    #expect(png.count < 2_000)
    #expect(try PNGDecoder.decode(png).pixels.allSatisfy { $0 == 7 })
  }
}

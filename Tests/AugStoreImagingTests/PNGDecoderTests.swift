import Foundation
import Testing

@testable import AugStoreImaging

@Suite("PNG decoder")
struct PNGDecoderTests {
  static let validNames = Fixtures.names(in: "png", ext: "png")

  @Test("fixture list covers every colour type and bit depth")
  func fixtureInventory() {
    #expect(Self.validNames.count >= 80)
    for prefix in [
      "grey1_", "grey2_", "grey4_", "grey8_", "grey16_", "greyalpha8_", "greyalpha16_", "rgb8_", "rgb16_",
      "rgba8_", "rgba16_", "palette1_", "palette2_", "palette4_", "palette8_", "palette1_trns_",
      "palette8_trns_", "grey8_trns_", "rgb8_trns_", "grey16_trns_", "rgb16_trns_",
    ] {
      #expect(Self.validNames.contains { $0.hasPrefix(prefix) && $0.contains("adam7") }, "\(prefix)")
      #expect(Self.validNames.contains { $0.hasPrefix(prefix) && !$0.contains("adam7") }, "\(prefix)")
    }
  }

  @Test("decodes to exactly the pixels pypng + numpy expect", arguments: validNames)
  func decodeMatchesExpected(name: String) throws {
    let png = try Fixtures.bytes("png", name)
    let expected = try #require(
      try NPY.decode(Fixtures.bytes("png", String(name.dropLast(4)) + ".npy")).tensor)
    let decoded = try PNGDecoder.decode(png)
    #expect(decoded.height == expected.height)
    #expect(decoded.width == expected.width)
    #expect(decoded.channels == expected.channels)
    if decoded.pixels != expected.pixels {
      let diffs = zip(decoded.pixels, expected.pixels).enumerated().filter { $0.element.0 != $0.element.1 }
      let worst = diffs.map { abs(Int($0.element.0) - Int($0.element.1)) }.max() ?? -1
      Issue.record(
        "\(name): \(diffs.count) samples differ, max |diff| \(worst), first at \(diffs.first?.offset ?? -1)")
    }

    let header = try PNGDecoder.header(of: png)
    #expect(header.width == expected.width && header.height == expected.height)
    #expect(header.channels == expected.channels)
    #expect(header.interlaced == name.contains("adam7"))
  }

  @Test("header reports the file's bit depth and colour type")
  func headerFields() throws {
    let h = try PNGDecoder.header(of: Fixtures.bytes("png", "palette4_trns_13x11_adam7.png"))
    #expect(h == PNGHeader(width: 13, height: 11, channels: 4, bitDepth: 4, colorType: 3, interlaced: true))
    let g = try PNGDecoder.header(of: Fixtures.bytes("png", "grey16_7x5.png"))
    #expect(g == PNGHeader(width: 7, height: 5, channels: 1, bitDepth: 16, colorType: 0, interlaced: false))
    let k = try PNGDecoder.header(of: Fixtures.bytes("png", "rgb8_trns_7x5.png"))
    #expect(k.channels == 4 && k.colorType == 2 && k.bitDepth == 8)
  }

  @Test("16-bit samples round to nearest: round(v * 255 / 65535) for all 65536 values")
  func sixteenBitRounding() throws {
    let t = try PNGDecoder.decode(Fixtures.bytes("png", "grey16_all_values_256x256.png"))
    let formula = (0..<65536).map { UInt8((($0 * 255) + 32767) / 65535) }
    #expect(t.pixels == formula)
    // Rounding, not truncation or sRGB encoding: 128 -> 0, 129 -> 1, 32767 -> 127, 32896 -> 128.
    #expect(t.pixels[128] == 0 && t.pixels[129] == 1 && t.pixels[32767] == 127 && t.pixels[32896] == 128)
  }

  @Test("Tensor buffer helpers read and write the pixels in place")
  func tensorBuffers() {
    var t = Tensor(height: 2, width: 3, channels: 1, repeating: 1)
    t.withUnsafeMutableBufferPointer { $0[4] = 9 }
    #expect(t.withUnsafeBufferPointer { $0.reduce(0) { $0 + Int($1) } } == 14)
    #expect(t.pixels[4] == 9)
  }

  @Test("alpha is not premultiplied")
  func alphaNotPremultiplied() throws {
    // Pixel (0, 0) of the alpha fixtures is full-white colour with alpha 0.
    let rgba = try PNGDecoder.decode(Fixtures.bytes("png", "rgba8_13x11.png"))
    #expect(Array(rgba.pixels[0..<4]) == [255, 255, 255, 0])
    let ga = try PNGDecoder.decode(Fixtures.bytes("png", "greyalpha16_7x5.png"))
    #expect(Array(ga.pixels[0..<2]) == [255, 0])
    // The same through the 16-bit Adam7 decoder.
    let rgba16 = try PNGDecoder.decode(Fixtures.bytes("png", "rgba16_13x11_adam7.png"))
    #expect(Array(rgba16.pixels[0..<4]) == [255, 255, 255, 0])
    let ga16 = try PNGDecoder.decode(Fixtures.bytes("png", "greyalpha16_7x5_adam7.png"))
    #expect(Array(ga16.pixels[0..<2]) == [255, 0])
  }
}

@Suite("PNG decoder rejects hostile input")
struct PNGHostileInputTests {
  enum Expected: Sendable, CustomStringConvertible {
    case empty, notPNG, invalid(containing: String), tooLarge(Int, Int)
    var description: String {
      switch self {
      case .empty: return "empty"
      case .notPNG: return "notPNG"
      case .invalid(let s): return "invalid(\(s))"
      case .tooLarge(let w, let h): return "tooLarge(\(w)x\(h))"
      }
    }
  }

  static let cases: [(String, Expected)] = [
    ("empty.png", .empty),
    ("text_file.png", .notPNG),
    ("signature_only.png", .invalid(containing: "")),
    ("truncated_after_ihdr.png", .invalid(containing: "")),
    ("truncated_mid_idat.png", .invalid(containing: "")),
    ("truncated_before_iend.png", .invalid(containing: "IEND")),
    ("bad_ihdr_crc.png", .invalid(containing: "CRC")),
    ("corrupt_idat.png", .invalid(containing: "")),
    ("zero_width.png", .invalid(containing: "IHDR")),
    ("zero_height.png", .invalid(containing: "IHDR")),
    ("huge_dimensions.png", .invalid(containing: "IHDR")),
    ("bomb_50000x50000.png", .tooLarge(50000, 50000)),
    // Found by fuzz-png: a 146-byte file declaring a 1.8 GB tEXt chunk, which libpng allocated and
    // zeroed before finding the data missing. Refused before libpng sees it.
    ("text_chunk_past_the_end.png", .invalid(containing: "tEXt: chunk extends past the end of the file")),
  ]

  @Test("every file in Fixtures/bad has an expectation")
  func everyBadFileCovered() {
    #expect(Set(Fixtures.names(in: "bad", ext: "png")) == Set(Self.cases.map(\.0)))
  }

  @Test("throws the expected error and allocates no pixels", arguments: cases)
  func rejects(name: String, expected: Expected) throws {
    let bytes = try Fixtures.bytes("bad", name)
    var allocated: [Int] = []
    let error = #expect(throws: PNGError.self) {
      try bytes.withUnsafeBytes { raw in
        _ = try PNGDecoder.decode(raw, pixelBudget: PNGDecoder.defaultPixelBudget) { allocated.append($0) }
      }
    }
    switch (expected, error) {
    case (.empty, .empty?), (.notPNG, .notPNG?):
      #expect(allocated.isEmpty)
    case (.invalid(let fragment), .invalid(let reason)?):
      #expect(fragment.isEmpty || reason.contains(fragment), "\(reason)")
      #expect(!reason.isEmpty)
    case (.tooLarge(let w, let h), .tooLarge(let width, let height, let budget)?):
      #expect(width == w && height == h && budget == PNGDecoder.defaultPixelBudget)
      #expect(allocated.isEmpty, "over-budget image allocated \(allocated)")
    default:
      Issue.record("\(name): expected \(expected), got \(String(describing: error))")
    }
    // header(of:) agrees about files whose header itself is broken.
    if case .tooLarge = expected {
      let header = try PNGDecoder.header(of: bytes)
      #expect(header.width == 50000 && header.pixelCount == 2_500_000_000)
    }
  }

  @Test("a chunk declared past the end of the file is refused before libpng reads it")
  func chunkPastTheEnd() throws {
    let bytes = try Fixtures.bytes("bad", "text_chunk_past_the_end.png")
    let expected = PNGError.invalid(reason: "tEXt: chunk extends past the end of the file")
    #expect(throws: expected) { try PNGDecoder.header(of: bytes) }
    #expect(throws: expected) {
      try PNGDecoder.decode(bytes, pixelBudget: 1 << 20, version: .libpngSimplified)
    }
    #expect(throws: PNGError.self) {
      try PNGDecoder.decode(bytes, pixelBudget: 1 << 20, version: .storedSamples)
    }
  }

  @Test("a tiny budget rejects a valid image before allocating", arguments: [0, 1, 142])
  func budget(budget: Int) throws {
    let bytes = try Fixtures.bytes("png", "rgb16_13x11.png")
    var allocated: [Int] = []
    #expect(throws: PNGError.tooLarge(width: 13, height: 11, budget: budget)) {
      try bytes.withUnsafeBytes { raw in
        _ = try PNGDecoder.decode(raw, pixelBudget: budget) { allocated.append($0) }
      }
    }
    #expect(allocated.isEmpty)
    // Exactly at the budget it decodes, allocating height * width * channels bytes once.
    let t = try bytes.withUnsafeBytes { raw in
      try PNGDecoder.decode(raw, pixelBudget: 143) { allocated.append($0) }
    }
    #expect(allocated == [13 * 11 * 3] && t.pixels.count == 13 * 11 * 3)
  }

  @Test("short prefixes of the signature are not PNG", arguments: [1, 4, 7])
  func shortSignature(length: Int) {
    #expect(throws: PNGError.notPNG) { try PNGDecoder.decode(Array(PNGDecoder.signature.prefix(length))) }
  }

  @Test(
    "every truncation of a valid file throws instead of crashing",
    arguments: ["rgb16_7x5_adam7.png", "rgba16_7x5_adam7.png", "grey16_trns_7x5_adam7.png", "rgb8_7x5.png"])
  func everyTruncation(name: String) throws {
    let bytes = try Fixtures.bytes("png", name)
    for length in 0..<bytes.count {
      #expect(throws: PNGError.self, "length \(length)") {
        try PNGDecoder.decode(Array(bytes.prefix(length)))
      }
    }
  }

  @Test("error descriptions are one line without a path")
  func descriptions() {
    #expect(PNGError.notPNG.errorDescription == "not a PNG file (bad signature)")
    #expect(PNGError.empty.errorDescription == "empty file")
    #expect(PNGError.invalid(reason: "IHDR: CRC error").errorDescription == "invalid PNG: IHDR: CRC error")
    let tooLarge = PNGError.tooLarge(width: 50000, height: 50000, budget: 100).errorDescription ?? ""
    #expect(tooLarge.contains("50000x50000") && !tooLarge.contains("\n"))
  }
}

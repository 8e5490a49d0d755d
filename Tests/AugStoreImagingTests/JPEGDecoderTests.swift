import Foundation
import Testing

@testable import AugStoreImaging

/// The header Tools/fixtures/make_jpeg_fixtures.py asked Pillow (or cjpeg/jpegtran) for.
struct JPEGManifestEntry: Decodable, Sendable {
  let width: Int
  let height: Int
  let channels: Int
  let subsampling: String
  let progressive: Bool
  let arithmeticCoded: Bool
  let colorSpace: String
  let orientation: Int?
}

@Suite("JPEG decoder")
struct JPEGDecoderTests {
  static let validNames = Fixtures.names(in: "jpeg", ext: "jpg")

  static func manifest() throws -> [String: JPEGManifestEntry] {
    try JSONDecoder().decode(
      [String: JPEGManifestEntry].self, from: Data(Fixtures.bytes("jpeg", "manifest.json")))
  }

  @Test("fixture list covers every subsampling, progressive, grey, restarts, EXIF and odd sizes")
  func fixtureInventory() throws {
    #expect(Self.validNames.count >= 20)
    #expect(Set(try Self.manifest().keys) == Set(Self.validNames))
    for fragment in [
      "_444_", "_422_", "_420_", "_440_", "_411_", "mixed_sampling", "progressive", "grey", "restart_blocks",
      "restart_rows", "37x23", "1x1", "exif_orientation6", "bigendian", "arithmetic", "_rgb_",
    ] {
      #expect(Self.validNames.contains { $0.contains(fragment) }, "\(fragment)")
    }
  }

  @Test("decodes to exactly Pillow's pixels", arguments: validNames)
  func decodeMatchesPillow(name: String) throws {
    let jpeg = try Fixtures.bytes("jpeg", name)
    let expected = try #require(
      try NPY.decode(Fixtures.bytes("jpeg", String(name.dropLast(4)) + ".npy")).tensor)
    let decoded = try JPEGDecoder.decode(jpeg)
    #expect(decoded.height == expected.height)
    #expect(decoded.width == expected.width)
    #expect(decoded.channels == expected.channels)
    if decoded.pixels != expected.pixels {
      let diffs = zip(decoded.pixels, expected.pixels).enumerated().filter { $0.element.0 != $0.element.1 }
      let worst = diffs.map { abs(Int($0.element.0) - Int($0.element.1)) }.max() ?? -1
      Issue.record(
        "\(name): \(diffs.count) samples differ, max |diff| \(worst), first at \(diffs.first?.offset ?? -1)")
    }
  }

  @Test("header reports what the fixture was written with", arguments: validNames)
  func headerMatchesManifest(name: String) throws {
    let entry = try #require(try Self.manifest()[name])
    let header = try JPEGDecoder.header(of: Fixtures.bytes("jpeg", name))
    #expect(header.width == entry.width && header.height == entry.height)
    #expect(header.channels == entry.channels)
    #expect(header.subsampling == entry.subsampling)
    #expect(header.progressive == entry.progressive)
    #expect(header.arithmeticCoded == entry.arithmeticCoded)
    #expect(header.colorSpace.rawValue == entry.colorSpace)
    #expect(header.orientation == entry.orientation)
    #expect(header.pixelCount == entry.width * entry.height)
  }

  @Test("EXIF orientation is reported, never applied")
  func orientationNotApplied() throws {
    let rotated = try JPEGDecoder.decode(Fixtures.bytes("jpeg", "chelsea_exif_orientation6_37x23.jpg"))
    // Orientation 6 asks viewers to rotate 90 degrees; the stored 37 x 23 shape is kept.
    #expect(rotated.width == 37 && rotated.height == 23 && rotated.channels == 3)
    let header = try JPEGDecoder.header(of: Fixtures.bytes("jpeg", "chelsea_exif_orientation6_37x23.jpg"))
    #expect(header.orientation == 6)
  }

  @Test("EXIF parser: both byte orders, LONG values, out-of-range and truncated IFDs")
  func exifParser() {
    func orientation(_ tiff: [UInt8]) -> Int? {
      tiff.withUnsafeBytes { JPEGHeaderParser.exifOrientation($0) }
    }
    let little: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0]
    let big: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 7, 0, 0]
    let long: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 4, 0, 1, 0, 0, 0, 5, 0, 0, 0]
    #expect(orientation(little) == 3)
    #expect(orientation(big) == 7)
    #expect(orientation(long) == 5)
    var nine = little
    nine[18] = 9
    #expect(orientation(nine) == nil)
    var zeroCount = little
    zeroCount[14] = 0
    #expect(orientation(zeroCount) == nil)
    var wrongMagic = little
    wrongMagic[2] = 43
    #expect(orientation(wrongMagic) == nil)
    var manyEntries = little
    manyEntries[8] = 0xFF
    manyEntries[9] = 0xFF
    manyEntries[10] = 0x10  // not the orientation tag, so the walk runs off the end
    #expect(orientation(manyEntries) == nil)
    // Cut anywhere before the end of the Orientation entry's value (the next-IFD offset is not needed).
    for length in 0..<20 {
      #expect(orientation(Array(little.prefix(length))) == nil, "length \(length)")
    }
  }

  @Test("subsampling names")
  func subsamplingNames() {
    func name(_ factors: [(Int, Int)]) -> String {
      JPEGHeaderParser.subsampling(
        factors.enumerated().map {
          JPEGHeaderParser.Component(
            id: UInt8($0.offset + 1), horizontal: $0.element.0, vertical: $0.element.1)
        })
    }
    #expect(name([(1, 1)]) == "4:0:0")
    #expect(name([(2, 2)]) == "4:0:0")
    #expect(name([(1, 1), (1, 1), (1, 1)]) == "4:4:4")
    #expect(name([(2, 2), (2, 2), (2, 2)]) == "4:4:4")
    #expect(name([(2, 1), (1, 1), (1, 1)]) == "4:2:2")
    #expect(name([(2, 2), (1, 1), (1, 1)]) == "4:2:0")
    #expect(name([(1, 2), (1, 1), (1, 1)]) == "4:4:0")
    #expect(name([(4, 1), (1, 1), (1, 1)]) == "4:1:1")
    #expect(name([(4, 2), (1, 1), (1, 1)]) == "4:1:0")
    #expect(name([(3, 1), (2, 1), (2, 1)]) == "3x1,2x1,2x1")
    #expect(name([(1, 1), (2, 2), (2, 2)]) == "1x1,2x2,2x2")
  }

  @Test("a tiny budget rejects a valid image before allocating", arguments: [0, 1, 850])
  func budget(budget: Int) throws {
    let bytes = try Fixtures.bytes("jpeg", "chelsea_420_q90_37x23.jpg")
    var allocated: [Int] = []
    #expect(throws: JPEGError.tooLarge(width: 37, height: 23, budget: budget)) {
      try bytes.withUnsafeBytes { raw in
        _ = try JPEGDecoder.decode(raw, pixelBudget: budget) { allocated.append($0) }
      }
    }
    #expect(allocated.isEmpty)
    // Exactly at the budget it decodes, allocating height * width * channels bytes once.
    let t = try bytes.withUnsafeBytes { raw in
      try JPEGDecoder.decode(raw, pixelBudget: 37 * 23) { allocated.append($0) }
    }
    #expect(allocated == [37 * 23 * 3] && t.pixels.count == 37 * 23 * 3)
  }

  @Test(
    "every truncation of a valid file throws instead of crashing",
    arguments: [
      "chelsea_420_q90_37x23.jpg", "chelsea_progressive_420_q95_37x23.jpg",
      "chelsea_grey_progressive_q75_37x23.jpg",
      "coffee_arithmetic_progressive_422_q90_64x48.jpg", "chelsea_exif_orientation8_bigendian_37x23.jpg",
    ])
  func everyTruncation(name: String) throws {
    let bytes = try Fixtures.bytes("jpeg", name)
    for length in 0..<bytes.count {
      #expect(throws: JPEGError.self, "length \(length)") {
        try JPEGDecoder.decode(Array(bytes.prefix(length)))
      }
    }
  }

  @Test("decompressors kept between decodes give Pillow's pixels whatever they decoded before")
  func reusedDecompressors() throws {
    let truncated = Array(try Fixtures.bytes("jpeg", "chelsea_420_q90_37x23.jpg").prefix(300))
    for name in Self.validNames + Self.validNames.reversed() {
      let jpeg = try Fixtures.bytes("jpeg", name)
      let expected = try #require(
        try NPY.decode(Fixtures.bytes("jpeg", String(name.dropLast(4)) + ".npy")).tensor)
      #expect(throws: JPEGError.self) { try JPEGDecoder.decode(truncated) }
      let small = try JPEGDecoder.decode(jpeg, scaledToAtLeast: (height: 1, width: 1))
      #expect(small.width == (expected.width + 7) / 8)
      #expect(try JPEGDecoder.decode(jpeg) == expected, "\(name)")
    }
  }

  @Test("trailing bytes after EOI are ignored, as libjpeg and Pillow do")
  func trailingBytes() throws {
    let bytes = try Fixtures.bytes("jpeg", "chelsea_420_q90_37x23.jpg")
    let plain = try JPEGDecoder.decode(bytes)
    #expect(try JPEGDecoder.decode(bytes + [0x00, 0x01, 0x02, 0xFF]) == plain)
  }
}

@Suite("JPEG decoder rejects hostile input")
struct JPEGHostileInputTests {
  enum Expected: Sendable, CustomStringConvertible {
    case empty, notJPEG, invalid(containing: String), unsupported(containing: String), tooLarge(Int, Int)
    var description: String {
      switch self {
      case .empty: return "empty"
      case .notJPEG: return "notJPEG"
      case .invalid(let s): return "invalid(\(s))"
      case .unsupported(let s): return "unsupported(\(s))"
      case .tooLarge(let w, let h): return "tooLarge(\(w)x\(h))"
      }
    }
  }

  static let cases: [(String, Expected)] = [
    ("empty.jpg", .empty),
    ("text_file.jpg", .notJPEG),
    ("soi_only.jpg", .notJPEG),
    ("soi_eoi.jpg", .invalid(containing: "no image")),
    ("truncated_header.jpg", .invalid(containing: "truncated header")),
    ("truncated_in_sof.jpg", .invalid(containing: "truncated header")),
    ("truncated_scan.jpg", .invalid(containing: "Premature end of JPEG file")),
    ("no_eoi.jpg", .invalid(containing: "Premature end of JPEG file")),
    ("corrupt_huffman.jpg", .invalid(containing: "Corrupt JPEG data")),
    ("two_sof.jpg", .invalid(containing: "two SOF markers")),
    ("zero_width.jpg", .invalid(containing: "width is zero")),
    ("zero_height.jpg", .invalid(containing: "height is zero")),
    ("bomb_65535x65535.jpg", .tooLarge(65535, 65535)),
    ("precision12.jpg", .unsupported(containing: "12-bit")),
    ("sof3_lossless.jpg", .unsupported(containing: "lossless")),
    ("sof11_arithmetic_lossless.jpg", .unsupported(containing: "lossless")),
    ("sof13_arithmetic_hierarchical.jpg", .unsupported(containing: "hierarchical")),
    ("cmyk.jpg", .unsupported(containing: "CMYK colour; convert it to RGB first")),
    ("ycck.jpg", .unsupported(containing: "YCCK colour; convert it to RGB first")),
  ]

  @Test("every file in Fixtures/jpeg-bad has an expectation")
  func everyBadFileCovered() {
    #expect(Set(Fixtures.names(in: "jpeg-bad", ext: "jpg")) == Set(Self.cases.map(\.0)))
  }

  @Test("throws the expected error", arguments: cases)
  func rejects(name: String, expected: Expected) throws {
    let bytes = try Fixtures.bytes("jpeg-bad", name)
    var allocated: [Int] = []
    let error = #expect(throws: JPEGError.self) {
      try bytes.withUnsafeBytes { raw in
        _ = try JPEGDecoder.decode(raw, pixelBudget: PNGDecoder.defaultPixelBudget) { allocated.append($0) }
      }
    }
    switch (expected, error) {
    case (.empty, .empty?), (.notJPEG, .notJPEG?):
      #expect(allocated.isEmpty)
    case (.invalid(let fragment), .invalid(let reason)?):
      #expect(reason.contains(fragment), "\(reason)")
    case (.unsupported(let fragment), .unsupported(let reason)?):
      #expect(reason.contains(fragment), "\(reason)")
      #expect(allocated.isEmpty, "unsupported file allocated \(allocated)")
    case (.tooLarge(let w, let h), .tooLarge(let width, let height, let budget)?):
      #expect(width == w && height == h && budget == PNGDecoder.defaultPixelBudget)
      #expect(allocated.isEmpty, "over-budget image allocated \(allocated)")
    default:
      Issue.record("\(name): expected \(expected), got \(String(describing: error))")
    }
    // The description is one line and names no file.
    let description = error?.errorDescription ?? ""
    #expect(!description.isEmpty && !description.contains("\n") && !description.contains(".jpg"))
  }

  @Test("the 65,535 x 65,535 header is readable and refused from the header alone")
  func bombHeader() throws {
    let bytes = try Fixtures.bytes("jpeg-bad", "bomb_65535x65535.jpg")
    let header = try JPEGDecoder.header(of: bytes)
    #expect(header.width == 65535 && header.height == 65535 && header.pixelCount == 4_294_836_225)
    // Even with no budget at all, libjpeg's 65,500-pixel limit refuses it before allocation.
    var allocated: [Int] = []
    #expect(throws: JPEGError.unsupported(reason: "65535x65535 pixels (libjpeg's limit is 65500 per side)")) {
      try bytes.withUnsafeBytes { raw in
        _ = try JPEGDecoder.decode(raw, pixelBudget: .max) { allocated.append($0) }
      }
    }
    #expect(allocated.isEmpty)
  }

  @Test("short prefixes of the signature are not JPEG", arguments: [1, 2])
  func shortSignature(length: Int) {
    #expect(throws: JPEGError.notJPEG) { try JPEGDecoder.decode(Array([0xFF, 0xD8, 0xFF].prefix(length))) }
  }

  @Test("a PNG is not a JPEG")
  func pngIsNotJPEG() throws {
    let png = try Fixtures.bytes("png", "rgb8_7x5.png")
    #expect(throws: JPEGError.notJPEG) { try JPEGDecoder.decode(png) }
    #expect(throws: JPEGError.notJPEG) { try JPEGDecoder.header(of: png) }
  }

  @Test("garbage between segments is refused, not skipped")
  func garbageBetweenSegments() throws {
    var bytes = try Fixtures.bytes("jpeg", "chelsea_420_q90_37x23.jpg")
    // After the first segment (APP0), where libjpeg would skip the bytes with a warning.
    let second = 4 + (Int(bytes[4]) << 8 | Int(bytes[5]))
    bytes.insert(contentsOf: [0x00, 0x11], at: second)
    #expect(throws: JPEGError.invalid(reason: "expected a marker at byte \(second)")) {
      try JPEGDecoder.decode(bytes)
    }
  }

  @Test("error descriptions are one line without a path")
  func descriptions() {
    #expect(JPEGError.notJPEG.errorDescription == "not a JPEG file (bad signature)")
    #expect(JPEGError.empty.errorDescription == "empty file")
    #expect(
      JPEGError.invalid(reason: "Premature end of JPEG file").errorDescription
        == "invalid JPEG: Premature end of JPEG file")
    #expect(
      JPEGError.unsupported(reason: "CMYK colour; convert it to RGB first").errorDescription
        == "unsupported JPEG: CMYK colour; convert it to RGB first")
    let tooLarge = JPEGError.tooLarge(width: 65535, height: 65535, budget: 100).errorDescription ?? ""
    #expect(tooLarge.contains("65535x65535") && !tooLarge.contains("\n"))
  }
}

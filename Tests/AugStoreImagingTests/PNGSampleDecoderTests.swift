import Foundation
import Testing

@testable import AugStoreImaging

/// Decoder version 2 (`PNGSampleDecoder`): the samples as stored, compared with Pillow's decoding of
/// files that Pillow and pypng saved with gAMA, cHRM, sRGB and iCCP chunks.
@Suite struct PNGSampleDecoderTests {
  static let pillowFixtures = Fixtures.names(in: "png-samples", ext: "png")
  static let fixtures = Fixtures.names(in: "png", ext: "png")

  @Test func theFixtureSetCoversEveryColourChunkAndType() {
    #expect(Self.pillowFixtures.count == 96)
    for chunk in ["gama100", "gama045", "gama022", "gama100_chrm", "srgb", "iccp"] {
      #expect(Self.pillowFixtures.filter { $0.hasSuffix("_\(chunk).png") }.count == 16)
    }
  }

  @Test(arguments: pillowFixtures)
  func decodesWhatPillowDecodes(name: String) throws {
    let expected = try #require(
      try NPY.decode(Fixtures.bytes("png-samples", String(name.dropLast(4)) + ".npy")).tensor)
    let decoded = try PNGDecoder.decode(
      Fixtures.bytes("png-samples", name), pixelBudget: PNGDecoder.defaultPixelBudget, version: .storedSamples
    )
    #expect(decoded == expected, "\(name)")
  }

  @Test func aGammaOneGreyRampComesOutAsStored() throws {
    // The first row of these files is 0, 1, 2, 3, …; libpng's simplified API gave 0, 21, 28, 34, ….
    let bytes = try Fixtures.bytes("png-samples", "pil_grey8_gama100.png")
    let stored = try PNGDecoder.decode(bytes, pixelBudget: 1 << 20, version: .storedSamples)
    #expect(Array(stored.pixels.prefix(6)) == [0, 1, 2, 3, 4, 5])
    let simplified = try PNGDecoder.decode(bytes, pixelBudget: 1 << 20, version: .libpngSimplified)
    #expect(Array(simplified.pixels.prefix(6)) != [0, 1, 2, 3, 4, 5])
  }

  /// The pypng fixtures of version 1 (every colour type, bit depth, tRNS, Adam7): up to 8 bits the
  /// two versions agree on these gamma-free files; 16-bit samples keep their high byte in version 2.
  @Test(arguments: fixtures)
  func agreesWithVersionOneExceptSixteenBitRounding(name: String) throws {
    let bytes = try Fixtures.bytes("png", name)
    let stored = try PNGDecoder.decode(bytes, pixelBudget: 1 << 20, version: .storedSamples)
    let header = try PNGDecoder.header(of: bytes)
    let reference = try #require(
      try NPY.decode(Fixtures.bytes("png", String(name.dropLast(4)) + ".npy")).tensor)
    #expect(stored.width == reference.width && stored.height == reference.height)
    #expect(stored.channels == header.channels && stored.channels == reference.channels)
    if header.bitDepth < 16 {
      #expect(stored == reference, "\(name)")
    } else {
      // round(v * 255 / 65535) and v >> 8 differ by at most 1.
      let differences = zip(stored.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
      #expect(differences.allSatisfy { $0 <= 1 }, "\(name)")
    }
  }

  @Test(arguments: Fixtures.names(in: "bad", ext: "png"))
  func refusesWhatVersionOneRefuses(name: String) throws {
    let bytes = try Fixtures.bytes("bad", name)
    #expect(throws: PNGError.self) {
      try PNGDecoder.decode(bytes, pixelBudget: 1 << 26, version: .storedSamples)
    }
  }

  @Test func theBudgetIsCheckedBeforeAnyPixelMemory() throws {
    let bytes = try Fixtures.bytes("bad", "bomb_50000x50000.png")
    var allocations: [Int] = []
    #expect(throws: PNGError.tooLarge(width: 50000, height: 50000, budget: 1 << 26)) {
      try bytes.withUnsafeBytes {
        _ = try PNGSampleDecoder.decode($0, pixelBudget: 1 << 26, willAllocate: { allocations.append($0) })
      }
    }
    #expect(allocations.isEmpty)
  }

  @Test func everyTruncationIsAnErrorNeverACrash() throws {
    let bytes = try Fixtures.bytes("png", Self.fixtures[0])
    for length in 0..<bytes.count {
      #expect(throws: (any Error).self) {
        try ImageDecoder.decode(Array(bytes.prefix(length)), version: .storedSamples)
      }
    }
  }

  @Test func signaturesChooseTheFormat() {
    #expect(ImageFormat.of(PNGDecoder.signature + [0]) == .png)
    #expect(ImageFormat.of([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
    #expect(ImageFormat.of(Array("GIF89a".utf8)) == nil)
    #expect(throws: ImageError.unrecognized) { try ImageDecoder.decode(Array("hello".utf8)) }
    #expect(throws: ImageError.empty) { try ImageDecoder.decode([]) }
  }
}

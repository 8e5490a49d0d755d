import Foundation
import Testing

@testable import AugStoreImaging

/// DCT-scaled JPEG decoding (a pipeline's `jpeg_dct_scaling`), compared with Pillow's `draft`,
/// which scales with libjpeg the same way for 1/2, 1/4 and 1/8.
@Suite struct JPEGScaledDecodeTests {
  static let expectations = Fixtures.names(in: "jpeg-scaled", ext: "npy")

  @Test func theFixturesCoverEveryScale() {
    #expect(Self.expectations.count >= 30)
    for k in [2, 4, 8] { #expect(Self.expectations.contains { $0.hasSuffix(".\(k).npy") }) }
  }

  @Test(arguments: expectations)
  func equalsPillowsDraft(name: String) throws {
    let parts = name.split(separator: ".")
    let base = String(parts[0])
    let k = try #require(Int(parts[1]))
    let expected = try #require(try NPY.decode(Fixtures.bytes("jpeg-scaled", name)).tensor)
    let bytes = try Fixtures.bytes("jpeg", base + ".jpg")
    let full = try JPEGDecoder.header(of: bytes)
    let decoded = try JPEGDecoder.decode(bytes, scaledToAtLeast: (full.height / k, full.width / k))
    #expect(decoded.width == full.width / k && decoded.height == full.height / k)
    #expect(decoded == expected, "\(name)")
  }

  @Test(arguments: [
    (48, 64, 24, 32, 4), (48, 64, 25, 32, 8), (48, 64, 1, 1, 1), (48, 64, 12, 16, 2), (48, 64, 48, 64, 8),
    (48, 64, 100, 100, 8), (23, 37, 12, 19, 4), (23, 37, 13, 19, 8), (375, 500, 224, 224, 8),
    (375, 500, 160, 160, 4), (375, 500, 90, 120, 2),
  ])
  func theSmallestScaleThatCoversTheTargetIsChosen(
    height: Int, width: Int, targetHeight: Int, targetWidth: Int, eighths: Int
  ) {
    #expect(
      JPEGDecoder.scaleEighths(height: height, width: width, target: (targetHeight, targetWidth)) == eighths)
    let scaledHeight = JPEGDecoder.scaled(height, eighths)
    let scaledWidth = JPEGDecoder.scaled(width, eighths)
    #expect(eighths == 8 || (scaledHeight >= targetHeight && scaledWidth >= targetWidth))
  }

  @Test func pngsIgnoreTheTarget() throws {
    let name = try #require(Fixtures.names(in: "png-samples", ext: "png").first)
    let bytes = try Fixtures.bytes("png-samples", name)
    #expect(try ImageDecoder.decode(bytes, jpegTarget: (2, 2)) == ImageDecoder.decode(bytes))
  }
}

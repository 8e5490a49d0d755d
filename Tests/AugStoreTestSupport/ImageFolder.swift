import AugStoreImaging
import Foundation

/// Writes folders of small, distinct PNG images for tests.
public enum ImageFolder {
  /// A deterministic image whose pixels depend on `seed`: different seeds give different files.
  public static func png(seed: Int, width: Int = 12, height: Int = 10, channels: Int = 3) throws -> [UInt8] {
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
    for index in pixels.indices {
      // splitmix64 step: a fixed formula, so fixture content never changes.
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      pixels[index] = UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
    return try PNGEncoder.encode(Tensor(height: height, width: width, channels: channels, pixels: pixels))
  }

  /// Writes `perClass` images into each of `classes` folders named `class0`, `class1`, …
  ///
  /// - Returns: the relative paths written, sorted.
  @discardableResult
  public static func make(
    at root: String, classes: Int, perClass: Int, seedOffset: Int = 0, width: Int = 12, height: Int = 10
  ) throws -> [String] {
    var paths: [String] = []
    for label in 0..<classes {
      for item in 0..<perClass {
        let relative = "class\(label)/img\(String(format: "%05d", item)).png"
        try Files.write(
          try png(seed: seedOffset + label * 1_000_000 + item, width: width, height: height),
          to: root + "/" + relative)
        paths.append(relative)
      }
    }
    return paths.sorted()
  }
}

@testable import AugStoreImaging

/// Deterministic test images shared by the kernel tests.
enum TestImages {
  /// An image of any size with every sample value spread over the range (an xorshift sequence per seed).
  static func noise(height: Int, width: Int, channels: Int, seed: UInt32) -> Tensor {
    var state = seed &* 2_654_435_761 | 1
    var pixels: [UInt8] = []
    for _ in 0..<(height * width * channels) {
      state ^= state << 13
      state ^= state >> 17
      state ^= state << 5
      pixels.append(UInt8(truncatingIfNeeded: state >> 7))
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }
}

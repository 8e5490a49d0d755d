import AugStoreImaging

/// Shrinks images for the pages: the box filter over each output pixel's source area.
enum Thumbnail {
  /// The sizes a request may ask for (the longer side, in pixels).
  static let sizes = 16...512
  /// The default longer side.
  static let defaultSize = 96

  /// `image` scaled down so that its longer side is at most `size` (never up), encoded as PNG.
  static func png(_ image: Tensor, size: Int) throws -> [UInt8] {
    try PNGEncoder.encode(shrink(image, size: size), fast: true)
  }

  /// `image` scaled down so that its longer side is at most `size`.
  static func shrink(_ image: Tensor, size: Int) -> Tensor {
    let longer = max(image.height, image.width)
    guard longer > size, size > 0 else { return image }
    let height = max(1, image.height * size / longer)
    let width = max(1, image.width * size / longer)
    let channels = image.channels
    var pixels = [UInt8](repeating: 0, count: height * width * channels)
    image.pixels.withUnsafeBufferPointer { source in
      pixels.withUnsafeMutableBufferPointer { target in
        var sums = [Int](repeating: 0, count: channels)
        for y in 0..<height {
          let top = y * image.height / height
          let bottom = max(top + 1, (y + 1) * image.height / height)
          for x in 0..<width {
            let left = x * image.width / width
            let right = max(left + 1, (x + 1) * image.width / width)
            for c in 0..<channels { sums[c] = 0 }
            for sy in top..<bottom {
              var offset = (sy * image.width + left) * channels
              for _ in left..<right {
                for c in 0..<channels { sums[c] += Int(source[offset + c]) }
                offset += channels
              }
            }
            let area = (bottom - top) * (right - left)
            let out = (y * width + x) * channels
            for c in 0..<channels { target[out + c] = UInt8((sums[c] + area / 2) / area) }
          }
        }
      }
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }
}

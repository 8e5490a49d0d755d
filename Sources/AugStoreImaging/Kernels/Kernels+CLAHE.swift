extension Kernels {
  /// Keras 3 `ContrastLimitedAdaptiveHistogramEqualization` with `clipLimit` and a
  /// `gridHeight × gridWidth` tile grid, per colour channel of the image (alpha is untouched; Keras
  /// equalizes it as well). With `th = ⌈height / gridHeight⌉`, `tw = ⌈width / gridWidth⌉` and `N = th · tw`:
  ///
  /// - the image is padded at the bottom and right to `th · gridHeight × tw · gridWidth` by symmetric
  ///   reflection (the edge sample repeated, as `numpy.pad(mode="symmetric")`; a padding longer than
  ///   the image keeps reflecting, where TensorFlow's `MirrorPad` raises);
  /// - each tile's 256-bin histogram (padding included) is clipped, when `clipLimit > 0`, at
  ///   `limit = Float(clipLimit · N / 256)`, and the float32 sum of the excess divided by 256 is added
  ///   to every bin (once, no further redistribution);
  /// - with `cdf` the float32 cumulative sum and `m` its minimum (the first bin, not the first non-zero
  ///   one), the tile's table is `clip((cdf − m) · 255 / (N − m), 0, 255)` (a zero denominator is 1);
  /// - a pixel at row `y`, column `x` with value `v` blends the tables of the four nearest tiles
  ///   bilinearly: `gy = (y − th / 2) / th + 1`, rows `⌊gy⌋` and `⌊gy⌋ + 1` of the tile grid bordered
  ///   by a copy of its first and last rows (likewise for columns), weight `gy − ⌊gy⌋`; the result
  ///   `(nw · (1 − wx) + ne · wx) · (1 − wy) + (sw · (1 − wx) + se · wx) · wy` (float32) is rounded
  ///   half away from zero.
  public static func clahe(_ image: Tensor, clipLimit: Double, gridHeight: Int, gridWidth: Int) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let colour = colourChannels(channels)
    guard height > 0, width > 0, gridHeight > 0, gridWidth > 0 else { return image }
    let tables = claheTables(
      image, clipLimit: clipLimit, gridHeight: gridHeight, gridWidth: gridWidth, colour: colour)
    let tileHeight = (height + gridHeight - 1) / gridHeight
    let tileWidth = (width + gridWidth - 1) / gridWidth
    let rows = claheAxis(count: height, tile: tileHeight, grid: gridHeight)
    let columns = claheAxis(count: width, tile: tileWidth, grid: gridWidth)
    let tileStride = colour * 256
    return image.withUnsafeBufferPointer { source in
      tables.withUnsafeBufferPointer { tables in
        columns.withUnsafeBufferPointer { columns in
          makeTensor(height: height, width: width, channels: channels) { out in
            guard let src = source.baseAddress, let lut = tables.baseAddress, let cols = columns.baseAddress
            else { return }
            for y in 0..<height {
              let row = rows[y]
              let top = lut + row.first * gridWidth * tileStride
              let bottom = lut + row.second * gridWidth * tileStride
              let wy = row.weight
              let wy1 = 1 - wy
              var i = y * width * channels
              for x in 0..<width {
                let column = cols[x]
                let wx = column.weight
                let wx1 = 1 - wx
                let left = column.first * tileStride
                let right = column.second * tileStride
                for c in 0..<colour {
                  let v = Int(src[i + c]) + c * 256
                  let nw = top[left + v]
                  let ne = top[right + v]
                  let sw = bottom[left + v]
                  let se = bottom[right + v]
                  let upper = nw * wx1 + ne * wx
                  let lower = sw * wx1 + se * wx
                  out[i + c] = blendToUInt8(upper * wy1 + lower * wy)
                }
                if colour < channels { out[i + colour] = src[i + colour] }
                i += channels
              }
            }
          }
        }
      }
    }
  }

  /// One axis of the blend: the two tile indices (Keras' bordered grid clamped back onto the tiles) and
  /// the weight of the second, per row or column.
  struct CLAHEAxisEntry {
    var first: Int
    var second: Int
    var weight: Float
  }

  static func claheAxis(count: Int, tile: Int, grid: Int) -> [CLAHEAxisEntry] {
    let size = Float(tile)
    let half = Float(Double(tile) / 2)
    return (0..<count).map { position in
      let g = (Float(position) - half) / size + 1
      let lower = floorSmall(g)
      let weight = g - lower
      let first = min(max(Int(lower), 0), grid + 1)
      let second = min(max(Int(lower) + 1, 0), grid + 1)
      return CLAHEAxisEntry(
        first: min(max(first - 1, 0), grid - 1), second: min(max(second - 1, 0), grid - 1), weight: weight)
    }
  }

  /// `numpy.pad(mode="symmetric")` source index of padded position `p` on an axis of `count` samples.
  static func symmetricIndex(_ p: Int, count: Int) -> Int {
    let period = 2 * count
    let r = p % period
    return r < count ? r : period - 1 - r
  }

  /// Every tile's equalization table (`tables[(tile row · gridWidth + tile column) · colour · 256 +
  /// channel · 256 + v]`), float32 as Keras computes it.
  static func claheTables(
    _ image: Tensor, clipLimit: Double, gridHeight: Int, gridWidth: Int, colour: Int
  ) -> [Float] {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let tileHeight = (height + gridHeight - 1) / gridHeight
    let tileWidth = (width + gridWidth - 1) / gridWidth
    let tileStride = colour * 256
    var counts = [Int32](repeating: 0, count: gridHeight * gridWidth * tileStride)
    let sourceColumns = (0..<tileWidth * gridWidth).map { symmetricIndex($0, count: width) * channels }
    image.withUnsafeBufferPointer { source in
      counts.withUnsafeMutableBufferPointer { counts in
        guard let src = source.baseAddress, let hist = counts.baseAddress else { return }
        for y in 0..<tileHeight * gridHeight {
          let row = src + symmetricIndex(y, count: height) * width * channels
          let band = hist + (y / tileHeight) * gridWidth * tileStride
          for (x, offset) in sourceColumns.enumerated() {
            let tile = band + (x / tileWidth) * tileStride
            for c in 0..<colour { tile[c * 256 + Int(row[offset + c])] &+= 1 }
          }
        }
      }
    }
    let samples = tileHeight * tileWidth
    let limit = Float(clipLimit * Double(samples) / 256.0)
    let total = Float(samples)
    var tables = [Float](repeating: 0, count: counts.count)
    var histogram = [Float](repeating: 0, count: 256)
    for start in stride(from: 0, to: counts.count, by: 256) {
      for v in 0..<256 { histogram[v] = Float(counts[start + v]) }
      if clipLimit > 0 {
        var excess: Float = 0
        for v in 0..<256 {
          let clipped = min(max(histogram[v], 0), limit)
          excess += histogram[v] - clipped
          histogram[v] = clipped
        }
        let share = excess / 256
        for v in 0..<256 { histogram[v] += share }
      }
      var running: Float = 0
      var minimum = Float.infinity
      for v in 0..<256 {
        running += histogram[v]
        histogram[v] = running
        minimum = min(minimum, running)
      }
      let difference = total - minimum
      let denominator = difference == 0 ? 1 : difference
      for v in 0..<256 {
        tables[start + v] = min(max((histogram[v] - minimum) * 255 / denominator, 0), 255)
      }
    }
    return tables
  }
}

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
    // Per column: the left and right tiles' table offsets and the blend weights, for the lanes.
    let lefts = columns.map { Int32(truncatingIfNeeded: $0.first * tileStride) }
    let rights = columns.map { Int32(truncatingIfNeeded: $0.second * tileStride) }
    let weights = columns.map(\.weight)
    let complements = columns.map { 1 - $0.weight }
    let lanes = colour == 3 && channels == 3 && tables.count < Int(Int32.max)
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
              var x = 0
              if lanes {
                x = claheRowRGB(
                  src + y * width * 3, out + y * width * 3, width: width, room: (height - y) * width * 3,
                  top: top, bottom: bottom, wy: wy, lefts: lefts, rights: rights, weights: weights,
                  complements: complements)
              }
              var i = (y * width + x) * channels
              while x < width {
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
                x += 1
              }
            }
          }
        }
      }
    }
  }

  /// One row of ``clahe(_:clipLimit:gridHeight:gridWidth:)``'s blend for an RGB image, eight pixels at
  /// a time, one pixel per lane and one channel at a time: the four table entries of each lane are
  /// loaded one by one, the blend runs the scalar float32 operations per lane, and the result is rounded
  /// as ``blendToUInt8(_:)`` (`⌊z⌋` of `z = value + 0.5` through `z + 2²³`, its low byte) and stored
  /// as 24 bytes (``AffineSampler/storeRGB(_:_:)``; in the host-level build 32 bytes while `room`, the
  /// bytes from `out` to the end of the image, holds them: the next group, the scalar loop or the next
  /// row overwrites the 8 after the group). Returns the first column left to the scalar loop.
  @inline(never)
  static func claheRowRGB(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, width: Int, room: Int,
    top: UnsafePointer<Float>,
    bottom: UnsafePointer<Float>, wy: Float, lefts: [Int32], rights: [Int32], weights: [Float],
    complements: [Float]
  ) -> Int {
    typealias Lanes = SIMD8<Float>
    typealias Bits = SIMD8<Int32>
    let wyLanes = Lanes(repeating: wy)
    let wy1Lanes = Lanes(repeating: 1 - wy)
    let half = Lanes(repeating: 0.5)
    let magic = Lanes(repeating: 8_388_608)
    return lefts.withUnsafeBufferPointer { lefts in
      rights.withUnsafeBufferPointer { rights in
        weights.withUnsafeBufferPointer { weights in
          complements.withUnsafeBufferPointer { complements in
            guard let lefts = lefts.baseAddress, let rights = rights.baseAddress,
              let wxs = weights.baseAddress, let wx1s = complements.baseAddress
            else { return 0 }
            var x = 0
            while x &+ 8 <= width {
              let pixels = src + x &* 3
              let wx = UnsafeRawPointer(wxs + x).loadUnaligned(as: Lanes.self)
              let wx1 = UnsafeRawPointer(wx1s + x).loadUnaligned(as: Lanes.self)
              @inline(__always) func channel(_ c: Int) -> Bits {
                var nw = Lanes()
                var ne = Lanes()
                var sw = Lanes()
                var se = Lanes()
                for j in 0..<8 {
                  let v = Int32(pixels[j &* 3 &+ c]) &+ Int32(c &* 256)
                  let l = Int(lefts[x &+ j] &+ v)
                  let r = Int(rights[x &+ j] &+ v)
                  nw[j] = top[l]
                  ne[j] = top[r]
                  sw[j] = bottom[l]
                  se[j] = bottom[r]
                }
                let upper = nw * wx1 + ne * wx
                let lower = sw * wx1 + se * wx
                let z = (upper * wy1Lanes + lower * wyLanes) + half
                let shifted = z + magic
                let roundedUp = unsafeBitCast(z - (shifted - magic), to: Bits.self) &>> 31
                return (unsafeBitCast(shifted, to: Bits.self) &+ roundedUp) & 0xFF
              }
              let words = channel(0) | (channel(1) &<< 8) | (channel(2) &<< 16)
              #if X86_64_V3
                if x &* 3 &+ 32 <= room {
                  AffineSampler.storeRGBWide(unsafeBitCast(words, to: SIMD8<UInt32>.self), out + x &* 3)
                } else {
                  AffineSampler.storeRGB(unsafeBitCast(words, to: SIMD8<UInt32>.self), out + x &* 3)
                }
              #else
                AffineSampler.storeRGB(unsafeBitCast(words, to: SIMD8<UInt32>.self), out + x &* 3)
              #endif
              x &+= 8
            }
            return x
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
    // One band of tiles at a time into two copies of its histograms (even and odd columns), so that
    // consecutive equal samples do not wait on each other's increments; the copies are added into
    // `counts` after the band.
    let bandStride = gridWidth * tileStride
    var scratch = [Int32](repeating: 0, count: 2 * bandStride)
    image.withUnsafeBufferPointer { source in
      counts.withUnsafeMutableBufferPointer { counts in
        scratch.withUnsafeMutableBufferPointer { scratch in
          sourceColumns.withUnsafeBufferPointer { sourceColumns in
            guard let src = source.baseAddress, let hist = counts.baseAddress, let even = scratch.baseAddress,
              let offsets = sourceColumns.baseAddress
            else { return }
            let odd = even + bandStride
            @inline(__always) func count(_ row: UnsafePointer<UInt8>, colour: Int) {
              for tile in 0..<gridWidth {
                let first = even + tile * tileStride
                let second = odd + tile * tileStride
                var x = tile * tileWidth
                let end = x + tileWidth
                while x + 2 <= end {
                  let a = row + offsets[x]
                  let b = row + offsets[x + 1]
                  for c in 0..<colour {
                    first[c &* 256 &+ Int(a[c])] &+= 1
                    second[c &* 256 &+ Int(b[c])] &+= 1
                  }
                  x += 2
                }
                if x < end {
                  let a = row + offsets[x]
                  for c in 0..<colour { first[c &* 256 &+ Int(a[c])] &+= 1 }
                }
              }
            }
            for band in 0..<gridHeight {
              even.update(repeating: 0, count: 2 * bandStride)
              for y in band * tileHeight..<(band + 1) * tileHeight {
                let row = src + symmetricIndex(y, count: height) * width * channels
                if colour == 3 { count(row, colour: 3) } else { count(row, colour: colour) }
              }
              let destination = hist + band * bandStride
              for k in 0..<bandStride { destination[k] = even[k] &+ odd[k] }
            }
          }
        }
      }
    }
    let samples = tileHeight * tileWidth
    let limit = Float(clipLimit * Double(samples) / 256.0)
    let total = Float(samples)
    var tables = [Float](repeating: 0, count: counts.count)
    // Eight histograms at a time, one per lane: each lane runs the scalar loop's float32 operations
    // in the same order (the sums stay sequential per histogram).
    let groups = counts.count / (8 * 256)
    counts.withUnsafeBufferPointer { counts in
      tables.withUnsafeMutableBufferPointer { tables in
        guard let counts = counts.baseAddress, let tables = tables.baseAddress else { return }
        claheTableLanes(counts, tables, groups: groups, clipLimit: clipLimit, limit: limit, total: total)
      }
    }
    var histogram = [Float](repeating: 0, count: 256)
    for start in stride(from: groups * 8 * 256, to: counts.count, by: 256) {
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

  /// ``claheTables(_:clipLimit:gridHeight:gridWidth:colour:)``'s table arithmetic for `groups` groups of
  /// eight 256-bin histograms, one histogram per lane: the scalar loop's float32 operations lane by
  /// lane in the same order, `Swift.min`/`Swift.max` as their comparisons (`y < x ? y : x`,
  /// `y >= x ? y : x`).
  static func claheTableLanes(
    _ counts: UnsafePointer<Int32>, _ tables: UnsafeMutablePointer<Float>, groups: Int, clipLimit: Double,
    limit: Float, total: Float
  ) {
    typealias Lanes = SIMD8<Float>
    let zero = Lanes(repeating: 0)
    let top = Lanes(repeating: 255)
    let limits = Lanes(repeating: limit)
    let totals = Lanes(repeating: total)
    var histogram = [Lanes](repeating: zero, count: 256)
    histogram.withUnsafeMutableBufferPointer { histogram in
      guard let h = histogram.baseAddress else { return }
      for group in 0..<groups {
        let base = counts + group * 8 * 256
        for v in 0..<256 {
          let p = base + v
          h[v] = Lanes(
            Float(p[0]), Float(p[256]), Float(p[512]), Float(p[768]), Float(p[1024]), Float(p[1280]),
            Float(p[1536]), Float(p[1792]))
        }
        if clipLimit > 0 {
          var excess = zero
          for v in 0..<256 {
            let value = h[v]
            let raised = value.replacing(with: zero, where: zero .>= value)
            let clipped = raised.replacing(with: limits, where: limits .< raised)
            excess += value - clipped
            h[v] = clipped
          }
          let share = excess / 256
          for v in 0..<256 { h[v] += share }
        }
        var running = zero
        var minimum = Lanes(repeating: .infinity)
        for v in 0..<256 {
          running += h[v]
          h[v] = running
          minimum = minimum.replacing(with: running, where: running .< minimum)
        }
        let difference = totals - minimum
        let denominator = difference.replacing(with: Lanes(repeating: 1), where: difference .== zero)
        let out = tables + group * 8 * 256
        for v in 0..<256 {
          let scaled = (h[v] - minimum) * 255 / denominator
          let raised = scaled.replacing(with: zero, where: zero .>= scaled)
          let table = raised.replacing(with: top, where: top .< raised)
          for lane in 0..<8 { out[lane &* 256 &+ v] = table[lane] }
        }
      }
    }
  }
}

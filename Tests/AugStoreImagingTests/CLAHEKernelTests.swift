import Testing

@testable import AugStoreImaging

/// A deterministic image of odd size with every sample value spread over the range.
private func noiseImage(height: Int, width: Int, channels: Int, seed: UInt32 = 3) -> Tensor {
  TestImages.noise(height: height, width: width, channels: channels, seed: seed)
}

/// A smooth low-contrast gradient (samples in 70...149) with a little noise, where equalization matters.
private func gradientImage(height: Int, width: Int, channels: Int) -> Tensor {
  let noise = noiseImage(height: height, width: width, channels: channels, seed: 11)
  var pixels: [UInt8] = []
  for y in 0..<height {
    for x in 0..<width {
      for c in 0..<channels {
        let ramp = (y * 53 + x * 29 + c * 17) % 70
        pixels.append(UInt8(70 + ramp + Int(noise.pixels[(y * width + x) * channels + c] % 10)))
      }
    }
  }
  return Tensor(height: height, width: width, channels: channels, pixels: pixels)
}

/// Keras 3.15.1's `_clahe` written out step by step on one channel: numpy's symmetric padding, the tile
/// histograms, clipping, the CDF tables, the table grid bordered by copies of its edge rows and columns,
/// and the four-table bilinear blend (float32 throughout, as TensorFlow computes it).
private enum CLAHEReference {
  static func apply(_ image: Tensor, clipLimit: Double, grid: (Int, Int)) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let colour = Kernels.colourChannels(channels)
    var output = image
    for c in 0..<colour {
      let plane = (0..<height).map { y in
        (0..<width).map { x in Int(image.pixels[(y * width + x) * channels + c]) }
      }
      let result = channel(plane, clipLimit: clipLimit, grid: grid)
      for y in 0..<height {
        for x in 0..<width { output.pixels[(y * width + x) * channels + c] = Kernels.toUInt8(result[y][x]) }
      }
    }
    return output
  }

  static func reflect(_ p: Int, _ n: Int) -> Int {
    // numpy.pad(mode="symmetric"): ... 1 0 | 0 1 ... n−1 | n−1 n−2 ... 0 | 0 1 ...
    var p = p
    var forward = true
    while p >= n {
      p -= n
      forward.toggle()
    }
    return forward ? p : n - 1 - p
  }

  static func channel(_ plane: [[Int]], clipLimit: Double, grid: (Int, Int)) -> [[Float]] {
    let (height, width) = (plane.count, plane[0].count)
    let (gh, gw) = grid
    let th = (height + gh - 1) / gh
    let tw = (width + gw - 1) / gw
    let padded = (0..<(th * gh)).map { y in
      (0..<(tw * gw)).map { x in plane[reflect(y, height)][reflect(x, width)] }
    }
    // tables[i][j][v] for tile row i, tile column j.
    var tables = [[[Float]]](repeating: [[Float]](repeating: [], count: gw), count: gh)
    for i in 0..<gh {
      for j in 0..<gw {
        var hist = [Float](repeating: 0, count: 256)
        for y in (i * th)..<((i + 1) * th) {
          for x in (j * tw)..<((j + 1) * tw) { hist[padded[y][x]] += 1 }
        }
        if clipLimit > 0 {
          let limit = Float(clipLimit * Double(th * tw) / 256.0)
          let clipped = hist.map { min(max($0, 0), limit) }
          var excess: Float = 0
          for v in 0..<256 { excess += hist[v] - clipped[v] }
          hist = clipped.map { $0 + excess / 256.0 }
        }
        var cdf = hist
        for v in 1..<256 { cdf[v] = cdf[v - 1] + hist[v] }
        let cdfMin = cdf.min() ?? 0
        var denominator = Float(th * tw) - cdfMin
        if denominator == 0 { denominator = 1 }
        tables[i][j] = cdf.map { min(max(($0 - cdfMin) * 255.0 / denominator, 0), 255) }
      }
    }
    // Border the grid: a copy of the first and last rows, then of the first and last columns.
    var bordered = [tables[0]] + tables + [tables[gh - 1]]
    bordered = bordered.map { [$0[0]] + $0 + [$0[gw - 1]] }
    func axis(_ position: Int, tile: Int, grid: Int) -> (Int, Int, Float) {
      let g = (Float(position) - Float(tile) / 2) / Float(tile) + 1
      let g0 = g.rounded(.down)
      let clip = { (v: Float) in Int(min(max(v, 0), Float(grid + 1))) }
      return (clip(g0), clip(g0 + 1), g - g0)
    }
    return (0..<height).map { y in
      let (y0, y1, wy) = axis(y, tile: th, grid: gh)
      return (0..<width).map { x in
        let (x0, x1, wx) = axis(x, tile: tw, grid: gw)
        let v = plane[y][x]
        let top = bordered[y0][x0][v] * (1 - wx) + bordered[y0][x1][v] * wx
        let bottom = bordered[y1][x0][v] * (1 - wx) + bordered[y1][x1][v] * wx
        return top * (1 - wy) + bottom * wy
      }
    }
  }
}

@Suite("CLAHE kernel")
struct CLAHEKernelTests {
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 3), (1, 9, 3), (9, 1, 3), (13, 17, 3), (37, 53, 3), (31, 29, 1), (23, 19, 4), (64, 96, 3),
    (8, 8, 2),
  ]
  static let settings: [(Double, (Int, Int))] = [
    (4, (8, 8)), (2, (3, 5)), (0, (4, 4)), (1, (1, 1)), (40, (7, 2)), (-1, (2, 9)), (0.7, (16, 16)),
  ]

  @Test(
    "matches the step-by-step reference byte for byte (odd sizes, grey, grey+alpha, RGB, RGBA)",
    arguments: shapes)
  func reference(shape: (Int, Int, Int)) {
    for image in [
      noiseImage(height: shape.0, width: shape.1, channels: shape.2),
      gradientImage(height: shape.0, width: shape.1, channels: shape.2),
    ] {
      for (clipLimit, grid) in Self.settings {
        let ours = Kernels.clahe(image, clipLimit: clipLimit, gridHeight: grid.0, gridWidth: grid.1)
        #expect(ours == CLAHEReference.apply(image, clipLimit: clipLimit, grid: grid))
      }
    }
  }

  @Test("channels are equalized independently and alpha is untouched")
  func channelsIndependent() {
    let grey = gradientImage(height: 29, width: 31, channels: 1)
    let rgba = Tensor(
      height: 29, width: 31, channels: 4,
      pixels: grey.pixels.enumerated().flatMap { index, v in [v, v, v, UInt8(index % 251)] })
    let greyOut = Kernels.clahe(grey, clipLimit: 3, gridHeight: 4, gridWidth: 5)
    let rgbaOut = Kernels.clahe(rgba, clipLimit: 3, gridHeight: 4, gridWidth: 5)
    #expect(greyOut != grey)
    for p in 0..<(29 * 31) {
      #expect(rgbaOut.pixels[p * 4] == greyOut.pixels[p])
      #expect(rgbaOut.pixels[p * 4 + 1] == greyOut.pixels[p])
      #expect(rgbaOut.pixels[p * 4 + 2] == greyOut.pixels[p])
      #expect(rgbaOut.pixels[p * 4 + 3] == rgba.pixels[p * 4 + 3])
    }
  }

  @Test("equalization stretches a low-contrast image and keeps the order of samples within a tile")
  func stretches() {
    let image = gradientImage(height: 24, width: 24, channels: 1)
    let out = Kernels.clahe(image, clipLimit: 0, gridHeight: 1, gridWidth: 1)
    // One tile: the output is one monotone table of the input.
    for i in image.pixels.indices {
      for j in image.pixels.indices where image.pixels[i] < image.pixels[j] {
        #expect(out.pixels[i] <= out.pixels[j])
      }
    }
    #expect(
      (out.pixels.max() ?? 0) - (out.pixels.min() ?? 0) > (image.pixels.max() ?? 0)
        - (image.pixels.min() ?? 0))
  }

  @Test("numpy's symmetric padding keeps reflecting past the image")
  func symmetricIndex() {
    #expect((0..<7).map { Kernels.symmetricIndex($0, count: 2) } == [0, 1, 1, 0, 0, 1, 1])
    #expect((0..<8).map { Kernels.symmetricIndex($0, count: 3) } == [0, 1, 2, 2, 1, 0, 0, 1])
    #expect((0..<8).map { CLAHEReference.reflect($0, 3) } == [0, 1, 2, 2, 1, 0, 0, 1])
  }
}

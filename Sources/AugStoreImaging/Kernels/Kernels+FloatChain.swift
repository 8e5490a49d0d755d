extension Kernels {
  // The operations a composite layer (RandAugment, AugMix) chains, on float32 images: each is the
  // formula of its 8-bit kernel (same order of float32 operations, same clipping, alpha left alone)
  // without the final rounding, as Keras runs its sub-layers' `transform_images` on float tensors.

  /// ``affine(_:_:outputHeight:outputWidth:interpolation:fillMode:fillValue:)`` on a float image,
  /// without rounding: TensorFlow's `ImageProjectiveTransformV3` on float32 samples.
  public static func affine(
    _ image: FloatImage, _ transform: AffineTransform, interpolation: Interpolation = .bilinear,
    fillMode: FillMode = .reflect, fillValue: Float = 0
  ) -> FloatImage {
    let sampler = AffineSampler(
      transform: transform, inputHeight: image.height, inputWidth: image.width,
      channels: image.channels, fillMode: fillMode, fillValue: fillValue)
    var output = [Float](repeating: 0, count: image.samples.count)
    image.samples.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { destination in
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        sampler.resample(
          src, dst, outHeight: image.height, outWidth: image.width, interpolation: interpolation)
      }
    }
    return FloatImage(height: image.height, width: image.width, channels: image.channels, samples: output)
  }

  /// ``adjustBrightness(_:delta:)`` on a float image: `clip(v + delta, 0, 255)`.
  public static func adjustBrightness(_ image: FloatImage, delta: Float) -> FloatImage {
    image.mapColour { min(max($0 + delta, 0), 255) }
  }

  /// ``adjustContrast(_:factor:)`` on a float image: `clip((v − mean) · factor + mean, 0, 255)` per
  /// colour channel, the mean taken over the image (summed in float64, then float32).
  public static func adjustContrast(_ image: FloatImage, factor: Float) -> FloatImage {
    let channels = image.channels
    let colour = colourChannels(channels)
    var sums = [Double](repeating: 0, count: channels)
    for (i, v) in image.samples.enumerated() { sums[i % channels] += Double(v) }
    let pixels = Double(max(image.height * image.width, 1))
    let means = sums.map { Float($0 / pixels) }
    var result = image
    for i in result.samples.indices where i % channels < colour {
      let mean = means[i % channels]
      result.samples[i] = min(max((result.samples[i] - mean) * factor + mean, 0), 255)
    }
    return result
  }

  /// ``degenerateColor(_:factor:)`` on a float image: each RGB sample `c` becomes
  /// `clip(c + factor · (grey − c), 0, 255)`; grey images are unchanged.
  public static func degenerateColor(_ image: FloatImage, factor: Float) -> FloatImage {
    let channels = image.channels
    guard channels >= 3 else { return image }
    var result = image
    result.samples.withUnsafeMutableBufferPointer { values in
      var i = 0
      while i < values.count {
        let r = values[i]
        let g = values[i + 1]
        let b = values[i + 2]
        let grey = r * 0.2989 + g * 0.5870 + b * 0.1140
        values[i] = min(max(r + factor * (grey - r), 0), 255)
        values[i + 1] = min(max(g + factor * (grey - g), 0), 255)
        values[i + 2] = min(max(b + factor * (grey - b), 0), 255)
        i += channels
      }
    }
    return result
  }

  /// ``sharpen(_:factor:padding:)`` on a float image: the 3×3 smoothing (`a = 1/13` around,
  /// `b = 5/13` in the centre, `padding` outside the image), then
  /// `clip(v + (1 − 2·factor) · (smoothed − v), 0, 255)`.
  public static func sharpen(_ image: FloatImage, factor: Float, padding: Float = 0) -> FloatImage {
    let (height, width, channels) = (image.height, image.width, image.channels)
    let colour = colourChannels(channels)
    let a: Float = 1.0 / 13.0
    let b: Float = 5.0 / 13.0
    let blend = 1 - factor * 2
    var result = image
    image.samples.withUnsafeBufferPointer { src in
      result.samples.withUnsafeMutableBufferPointer { dst in
        for y in 0..<height {
          for x in 0..<width {
            for c in 0..<colour {
              var neighbours: Float = 0
              for dy in -1...1 {
                for dx in -1...1 where dy != 0 || dx != 0 {
                  let (ny, nx) = (y + dy, x + dx)
                  neighbours +=
                    ny >= 0 && ny < height && nx >= 0 && nx < width
                    ? src[(ny * width + nx) * channels + c] : padding
                }
              }
              let v = src[(y * width + x) * channels + c]
              let smoothed = a * neighbours + b * v
              dst[(y * width + x) * channels + c] = min(max(v + blend * (smoothed - v), 0), 255)
            }
          }
        }
      }
    }
    return result
  }

  /// ``posterize(_:shift:)`` on a float image: each sample is cast to 8 bits as TensorFlow casts
  /// (truncation toward zero, saturating) before it keeps its high `8 − shift` bits.
  public static func posterize(_ image: FloatImage, shift: Int) -> FloatImage {
    let mask = UInt8(truncatingIfNeeded: 0xFF << shift)
    return image.mapColour { v in
      let byte: UInt8 = v.isNaN ? 0 : (v >= 255 ? 255 : (v > 0 ? UInt8(v.rounded(.towardZero)) : 0))
      return Float(byte & mask)
    }
  }

  /// ``solarize(_:addition:threshold:)`` on a float image: `r = clip(v + addition, 0, 255)`, then `r`
  /// where `r < threshold`, else `255 − r`.
  public static func solarize(_ image: FloatImage, addition: Float, threshold: Float) -> FloatImage {
    image.mapColour { v in
      let r = min(max(v + addition, 0), 255)
      return r < threshold ? r : 255 - r
    }
  }

  /// ``autoContrast(_:)`` on a float image: each colour channel stretched from its `[low, high]` to
  /// `[0, 255]` (`v · scale + offset`, `scale = 255 / (high − low)`, `offset = −low · scale`), clipped;
  /// a flat channel is left as it is.
  public static func autoContrast(_ image: FloatImage) -> FloatImage {
    let channels = image.channels
    let colour = colourChannels(channels)
    var low = [Float](repeating: .infinity, count: channels)
    var high = [Float](repeating: -.infinity, count: channels)
    for (i, v) in image.samples.enumerated() {
      low[i % channels] = min(low[i % channels], v)
      high[i % channels] = max(high[i % channels], v)
    }
    var result = image
    for c in 0..<colour where high[c] > low[c] {
      let scale = 255 / (high[c] - low[c])
      let offset = -low[c] * scale
      for i in stride(from: c, to: result.samples.count, by: channels) {
        result.samples[i] = min(max(result.samples[i] * scale + offset, 0), 255)
      }
    }
    return result
  }

  /// ``equalize(_:bins:)`` on a float image: the histogram bin of a sample is
  /// `Int32(v · (bins − 1) / 255)` clipped to the bins, the table as in the 8-bit kernel, and each
  /// sample becomes the table entry at `Int32(clip((v / 255) · (bins − 1), 0, bins − 1))`.
  public static func equalize(_ image: FloatImage, bins: Int) -> FloatImage {
    let channels = image.channels
    let colour = colourChannels(channels)
    let top = Float(bins - 1)
    func binIndex(_ v: Float) -> Int {
      let scaled = v * top / 255
      guard scaled.isFinite else { return 0 }
      return min(max(Int(scaled.rounded(.towardZero)), 0), bins - 1)
    }
    var result = image
    for c in 0..<colour {
      var histogram = [Int](repeating: 0, count: bins)
      for i in stride(from: c, to: image.samples.count, by: channels) {
        histogram[binIndex(image.samples[i])] += 1
      }
      guard histogram.count(where: { $0 > 0 }) > 1 else { continue }
      var cdf = histogram
      for i in 1..<bins { cdf[i] += cdf[i - 1] }
      let first = cdf.first(where: { $0 > 0 }) ?? 0
      let denominator = Double(cdf[bins - 1] - first == 0 ? 1 : cdf[bins - 1] - first)
      let table = cdf.map {
        Float(min(max((Double($0 - first) * 255 / denominator).rounded(.toNearestOrEven), 0), 255))
      }
      for i in stride(from: c, to: result.samples.count, by: channels) {
        let scaled = (image.samples[i] / 255) * top
        let index = scaled.isNaN ? 0 : Int(min(max(scaled, 0), top).rounded(.towardZero))
        result.samples[i] = table[index]
      }
    }
    return result
  }
}

extension AffineSampler {
  /// Resamples float samples: the 8-bit passes' coordinates, fill modes and float32 blend, without
  /// rounding (``bilinearScalar(_:_:outHeight:outWidth:)``, ``nearest(_:_:outHeight:outWidth:)``).
  func resample(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
    interpolation: Interpolation
  ) {
    let maxX = Float(inputWidth - 1)
    let maxY = Float(inputHeight - 1)
    let rowStride = inputWidth * channels
    var d = dst
    for oy in 0..<outHeight {
      let fy = Float(oy)
      let rowX = a1 * fy
      let rowY = b1 * fy
      for ox in 0..<outWidth {
        let fx = Float(ox)
        var x = sourceX(fx, rowX)
        var y = sourceY(fx, rowY)
        switch interpolation {
        case .nearest:
          let mappedX = map(x, inputWidth)
          let mappedY = map(y, inputHeight)
          let nx = abs(mappedX) < 1_073_741_824 ? Kernels.roundSmall(mappedX) : -1
          let ny = abs(mappedY) < 1_073_741_824 ? Kernels.roundSmall(mappedY) : -1
          if nx >= 0 && nx <= maxX && ny >= 0 && ny <= maxY {
            let s = src + Int(ny) * rowStride + Int(nx) * channels
            for c in 0..<channels { d[c] = s[c] }
          } else {
            for c in 0..<channels { d[c] = fillValue }
          }
        case .bilinear:
          if !(x >= 0 && x <= maxX && y >= 0 && y <= maxY) {
            if fillMode == .constant {
              borderBilinear(src, d, x: x, y: y)
              d += channels
              continue
            }
            x = map(x, inputWidth)
            y = map(y, inputHeight)
          }
          let xFloor = Kernels.floorSmall(x)
          let yFloor = Kernels.floorSmall(y)
          let x0 = Int(xFloor)
          let y0 = Int(yFloor)
          let x1 = min(x0 + 1, inputWidth - 1)
          let y1 = min(y0 + 1, inputHeight - 1)
          let (wx0, wx1) = Self.weights(x, floor: xFloor)
          let (wy0, wy1) = Self.weights(y, floor: yFloor)
          for c in 0..<channels {
            let (r0, r1) = (y0 * rowStride + c, y1 * rowStride + c)
            d[c] = Self.blend(
              wx0, wx1, wy0, wy1, src[r0 + x0 * channels], src[r0 + x1 * channels], src[r1 + x0 * channels],
              src[r1 + x1 * channels])
          }
        }
        d += channels
      }
    }
  }

  /// ``borderBilinear(_:_:x:y:)`` on float samples.
  private func borderBilinear(
    _ src: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, x: Float, y: Float
  ) {
    guard x > -1 && x < Float(inputWidth) && y > -1 && y < Float(inputHeight) else {
      for c in 0..<channels { d[c] = fillValue }
      return
    }
    let xFloor = Kernels.floorSmall(x)
    let yFloor = Kernels.floorSmall(y)
    let (wx0, wx1) = Self.weights(x, floor: xFloor)
    let (wy0, wy1) = Self.weights(y, floor: yFloor)
    let x0 = Int(xFloor)
    let y0 = Int(yFloor)
    let rowStride = inputWidth * channels
    for c in 0..<channels {
      func read(_ row: Int, _ column: Int) -> Float {
        row >= 0 && row < inputHeight && column >= 0 && column < inputWidth
          ? src[row * rowStride + column * channels + c] : fillValue
      }
      d[c] = Self.blend(
        wx0, wx1, wy0, wy1, read(y0, x0), read(y0, x0 + 1), read(y0 + 1, x0), read(y0 + 1, x0 + 1))
    }
  }
}

extension Kernels {
  /// AugMix's chain sum: `mixed += image · weight` per sample (every channel, alpha included), in
  /// float32 as Keras' `aug_images += copied_images * chain_mixing_weights[idx]`.
  public static func accumulate(_ image: FloatImage, weight: Float, into mixed: inout FloatImage) {
    precondition(image.samples.count == mixed.samples.count, "images of different sizes")
    image.samples.withUnsafeBufferPointer { source in
      mixed.samples.withUnsafeMutableBufferPointer { target in
        for i in target.indices { target[i] += source[i] * weight }
      }
    }
  }

  /// AugMix's final blend: `clip(w · input + (1 − w) · mixed, clip)` per colour sample, in float32 as
  /// Keras computes it; alpha keeps the input's samples.
  public static func blend(
    _ input: FloatImage, _ mixed: FloatImage, inputWeight: Float, clip: ClosedRange<Float>
  ) -> FloatImage {
    precondition(input.samples.count == mixed.samples.count, "images of different sizes")
    let channels = input.channels
    let colour = colourChannels(channels)
    var result = input
    let other = 1 - inputWeight
    result.samples.withUnsafeMutableBufferPointer { out in
      mixed.samples.withUnsafeBufferPointer { mixed in
        for i in out.indices where i % channels < colour {
          out[i] = min(max(inputWeight * out[i] + other * mixed[i], clip.lowerBound), clip.upperBound)
        }
      }
    }
    return result
  }
}

@testable import AugStoreImaging

/// Frozen scalar references: the kernels exactly as they were before their SIMD rewrites (commit 8a3b7f6).
///
/// The fast kernels must reproduce these byte for byte on every input (see `KernelEquivalenceTests`);
/// they are the float32 arithmetic that matches TensorFlow/Keras 3. Nothing here may change.
enum KernelReferences {
  /// The mean of each channel over the whole image, from exact integer sums.
  static func channelMeans(_ image: Tensor) -> [Double] {
    let channels = image.channels
    var sums = [Int](repeating: 0, count: 4)
    for (i, sample) in image.pixels.enumerated() { sums[i % channels] += Int(sample) }
    let count = Double(image.height * image.width)
    return sums.prefix(channels).map { Double($0) / count }
  }

  /// `RandomContrast`: `(x − mean) · factor + mean` per colour channel in float32, alpha untouched.
  static func adjustContrast(_ image: Tensor, factor: Float) -> Tensor {
    let means = channelMeans(image)
    let channels = image.channels
    let colour = Kernels.colourChannels(channels)
    var output = image
    for i in output.pixels.indices {
      let c = i % channels
      guard c < colour else { continue }
      let mean = Float(means[c])
      output.pixels[i] = Kernels.toUInt8(min(max((Float(image.pixels[i]) - mean) * factor + mean, 0), 255))
    }
    return output
  }

  /// Mirrors left–right and/or top–bottom, pixel by pixel.
  static func flip(_ image: Tensor, horizontal: Bool, vertical: Bool) -> Tensor {
    let (height, width, channels) = (image.height, image.width, image.channels)
    var output = image
    for y in 0..<height {
      for x in 0..<width {
        let sy = vertical ? height - 1 - y : y
        let sx = horizontal ? width - 1 - x : x
        for c in 0..<channels {
          output.pixels[(y * width + x) * channels + c] = image.pixels[(sy * width + sx) * channels + c]
        }
      }
    }
    return output
  }

  /// `RandomSaturation` as it was: closed form `v + factor·(c − v)` for `0 ≤ factor ≤ 255`, else the
  /// HSV round trip.
  static func adjustSaturation(_ image: Tensor, factor: Float) -> Tensor {
    guard image.channels >= 3 else { return image }
    guard factor >= 0 && factor <= 255 else {
      return mapHSV(image, scale: 1, saturationFactor: factor, hueShift: 0)
    }
    var output = image
    var i = 0
    while i < output.pixels.count {
      let r = Float(image.pixels[i])
      let g = Float(image.pixels[i + 1])
      let b = Float(image.pixels[i + 2])
      let v = max(r, max(g, b))
      output.pixels[i] = Kernels.clampToUInt8(v + factor * (r - v))
      output.pixels[i + 1] = Kernels.clampToUInt8(v + factor * (g - v))
      output.pixels[i + 2] = Kernels.clampToUInt8(v + factor * (b - v))
      i += image.channels
    }
    return output
  }

  /// `RandomHue` as it was.
  static func adjustHue(_ image: Tensor, factor: Float) -> Tensor {
    mapHSV(image, scale: 255, saturationFactor: 1, hueShift: factor)
  }

  /// RGB → HSV → adjustment → RGB per pixel with TensorFlow's float32 formulas.
  static func mapHSV(_ image: Tensor, scale: Float, saturationFactor: Float, hueShift: Float) -> Tensor {
    guard image.channels >= 3 else { return image }
    var output = image
    let channels = image.channels
    output.withUnsafeMutableBufferPointer { buffer in
      var i = 0
      while i < buffer.count {
        var r = Float(buffer[i])
        var g = Float(buffer[i + 1])
        var b = Float(buffer[i + 2])
        if scale != 1 {
          r = r / scale
          g = g / scale
          b = b / scale
        }
        var (h, s, v) = rgbToHSV(r, g, b)
        if scale == 1 {
          s = min(max(s * saturationFactor, 0), 255)
        } else {
          h += hueShift
          if h > 1 { h -= 1 }
          if h < 0 { h += 1 }
        }
        (r, g, b) = hsvToRGB(h, s, v)
        if scale != 1 {
          r = min(max(r, 0), 1) * scale
          g = min(max(g, 0), 1) * scale
          b = min(max(b, 0), 1) * scale
        }
        buffer[i] = Kernels.clampToUInt8(r)
        buffer[i + 1] = Kernels.clampToUInt8(g)
        buffer[i + 2] = Kernels.clampToUInt8(b)
        i += channels
      }
    }
    return output
  }

  static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
    let value = max(r, max(g, b))
    let minimum = min(r, min(g, b))
    let range = value - minimum
    let saturation: Float = value > 0 ? range / value : 0
    let norm: Float = 1 / (6 * range)
    var hue: Float
    if r == value {
      hue = norm * (g - b)
    } else if g == value {
      hue = norm * (b - r) + 2.0 / 6.0
    } else {
      hue = norm * (r - g) + 4.0 / 6.0
    }
    if !(range > 0) { hue = 0 }
    if hue < 0 { hue += 1 }
    return (hue, saturation, value)
  }

  static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
    let dh = h * 6
    let dr = min(max(abs(dh - 3) - 1, 0), 1)
    let dg = min(max(2 - abs(dh - 2), 0), 1)
    let db = min(max(2 - abs(dh - 4), 0), 1)
    let oneMinusS = 1 - s
    return ((oneMinusS + s * dr) * v, (oneMinusS + s * dg) * v, (oneMinusS + s * db) * v)
  }
}

extension KernelReferences {
  /// `Kernels.resize(_:height:width:method: .bilinear)` as it was (scalar-per-pixel horizontal pass).
  static func resizeBilinear(_ image: Tensor, height: Int, width: Int) -> Tensor {
    var output = Tensor(height: height, width: width, channels: image.channels)
    image.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { destination in
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        resizeBilinear(src, image.height, image.width, image.channels, dst, height, width)
      }
    }
    return output
  }

  /// Bilinear resize. The horizontal lerp of an input row (`left + (right − left)·xLerp`) is the same
  /// float32 value whichever output row uses it, so each needed input row is interpolated once into a
  /// float row and cached; output rows then blend two cached rows (`t + (b − t)·yLerp`).
  static func resizeBilinear(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let rowStride = inWidth * channels
    let outRow = outWidth * channels
    let ys = Kernels.LerpTable(inputSize: inHeight, outputSize: outHeight, stride: 1)
    let xs = Kernels.LerpTable(inputSize: inWidth, outputSize: outWidth, stride: channels)
    // Per output sample: left offset, right offset and lerp, expanded over channels.
    var left = [Int](repeating: 0, count: outRow)
    var right = [Int](repeating: 0, count: outRow)
    var lerps = [Float](repeating: 0, count: outRow)
    for ox in 0..<outWidth {
      for c in 0..<channels {
        left[ox * channels + c] = xs.lower[ox] + c
        right[ox * channels + c] = xs.upper[ox] + c
        lerps[ox * channels + c] = xs.lerp[ox]
      }
    }
    // One spare float after each row for the SIMD4 stores of 3-channel pixels.
    var cache = [Float](repeating: 0, count: 2 * outRow + 2)
    left.withUnsafeBufferPointer { left in
      right.withUnsafeBufferPointer { right in
        lerps.withUnsafeBufferPointer { lerps in
          cache.withUnsafeMutableBufferPointer { cache in
            guard let rowA = cache.baseAddress else { return }
            let rowB = rowA + outRow + 1
            var cachedA = -1
            var cachedB = -1
            func interpolate(_ inputRow: Int, into row: UnsafeMutablePointer<Float>) {
              let s = src + inputRow * rowStride
              var start = 0
              if channels >= 3, let left = left.baseAddress, let right = right.baseAddress,
                let lerps = lerps.baseAddress
              {
                // One pixel's channels per SIMD4, lane for lane the scalar formula; the last input
                // pixel (whose 4-byte read would pass the end) and what follows it are done below.
                let raw = UnsafeRawPointer(s)
                let out = UnsafeMutableRawPointer(row)
                let limit = inputRow == inHeight - 1 ? rowStride - 4 : rowStride
                var ox = 0
                while ox < outWidth {
                  let i = ox &* channels
                  let r = right[i]
                  if r > limit { break }
                  let l = Kernels.floats(raw.loadUnaligned(fromByteOffset: left[i], as: SIMD4<UInt8>.self))
                  let value =
                    l + (Kernels.floats(raw.loadUnaligned(fromByteOffset: r, as: SIMD4<UInt8>.self)) - l)
                    * SIMD4<Float>(repeating: lerps[i])
                  out.storeBytes(of: value, toByteOffset: i &* 4, as: SIMD4<Float>.self)
                  ox &+= 1
                }
                start = ox * channels
              }
              for i in start..<outRow {
                let l = Float(s[left[i]])
                let r = Float(s[right[i]])
                row[i] = l + (r - l) * lerps[i]
              }
            }
            var d = dst
            for oy in 0..<outHeight {
              let lower = ys.lower[oy]
              let upper = ys.upper[oy]
              // Keep `lower` in A and `upper` in B, reusing whichever row is already cached.
              if cachedA != lower {
                if cachedB == lower {
                  rowA.update(from: rowB, count: outRow)
                } else {
                  interpolate(lower, into: rowA)
                }
                cachedA = lower
              }
              if cachedB != upper {
                if upper == lower {
                  rowB.update(from: rowA, count: outRow)
                } else {
                  interpolate(upper, into: rowB)
                }
                cachedB = upper
              }
              let yLerp = ys.lerp[oy]
              let lerpVector = SIMD4<Float>(repeating: yLerp)
              let half = SIMD4<Float>(repeating: 0.5)
              let a = UnsafeRawPointer(rowA)
              let b = UnsafeRawPointer(rowB)
              let out = UnsafeMutableRawPointer(d)
              var i = 0
              while i + 4 <= outRow {
                let t = a.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self)
                let v = t + (b.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self) - t) * lerpVector
                out.storeBytes(
                  of: unsafeBitCast(Kernels.floorBytes(v + half), to: UInt32.self), toByteOffset: i,
                  as: UInt32.self)
                i &+= 4
              }
              while i < outRow {
                let t = rowA[i]
                d[i] = Kernels.blendToUInt8(t + (rowB[i] - t) * yLerp)
                i &+= 1
              }
              d += outRow
            }
          }
        }
      }
    }
  }

}

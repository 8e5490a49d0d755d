extension Kernels {
  /// Resizes `image` to `height`×`width` as `tf.image.resize` (Keras 3 `Resizing`, TensorFlow backend)
  /// does with `antialias=False`.
  ///
  /// - `.bilinear`: half-pixel centres, `in = (out + 0.5)·scale − 0.5`, neighbours clamped to the image,
  ///   TF's float32 lerp order (`top + (bottom − top)·yLerp`).
  /// - `.nearest`: half-pixel centres, `in = min(⌊(out + 0.5)·scale⌋, size − 1)`.
  /// - `.area`: TF's `ResizeArea` (area-weighted mean of the covered input pixels).
  ///
  /// `scale` is `Float(inputSize) / Float(outputSize)`. Float results are rounded half away from zero.
  public static func resize(_ image: Tensor, height: Int, width: Int, method: ResizeMethod) -> Tensor {
    precondition(height > 0 && width > 0)
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: height, width: width, channels: image.channels) { dst in
        guard let src = source.baseAddress else { return }
        switch method {
        case .bilinear:
          resizeBilinear(src, image.height, image.width, image.channels, dst, height, width)
        case .nearest:
          resizeNearest(src, image.height, image.width, image.channels, dst, height, width)
        case .area:
          resizeArea(src, image.height, image.width, image.channels, dst, height, width)
        }
      }
    }
  }

  /// One axis of a bilinear resize: lower and upper input index and the lerp weight per output index.
  struct LerpTable {
    var lower: [Int]
    var upper: [Int]
    var lerp: [Float]

    init(inputSize: Int, outputSize: Int, stride: Int) {
      let scale = Float(inputSize) / Float(outputSize)
      lower = [Int](repeating: 0, count: outputSize)
      upper = [Int](repeating: 0, count: outputSize)
      lerp = [Float](repeating: 0, count: outputSize)
      for i in 0..<outputSize {
        let position = (Float(i) + 0.5) * scale - 0.5
        let floorValue = position.rounded(.down)
        lower[i] = max(Int(floorValue), 0) * stride
        upper[i] = min(Int(position.rounded(.up)), inputSize - 1) * stride
        lerp[i] = position - floorValue
      }
    }
  }

  /// Bilinear resize. The horizontal lerp of an input row (`left + (right − left)·xLerp`) is the same
  /// float32 value whichever output row uses it, so each needed input row is interpolated once into a
  /// float row and cached; output rows then blend two cached rows (`t + (b − t)·yLerp`), sixteen
  /// samples per store. For 3 and 4 channels an input row is first converted to exact floats, so each
  /// output pixel is two unaligned `SIMD4<Float>` loads and one lerp.
  static func resizeBilinear(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let rowStride = inWidth * channels
    let outRow = outWidth * channels
    let ys = LerpTable(inputSize: inHeight, outputSize: outHeight, stride: 1)
    let xs = LerpTable(inputSize: inWidth, outputSize: outWidth, stride: channels)
    // Per output sample: left offset, right offset and lerp, expanded over channels; and per output
    // pixel the lerp in every lane.
    var left = [Int](repeating: 0, count: outRow)
    var right = [Int](repeating: 0, count: outRow)
    var lerps = [Float](repeating: 0, count: outRow)
    var pixelLerps = [SIMD4<Float>](repeating: SIMD4(), count: outWidth)
    for ox in 0..<outWidth {
      pixelLerps[ox] = SIMD4(repeating: xs.lerp[ox])
      for c in 0..<channels {
        left[ox * channels + c] = xs.lower[ox] + c
        right[ox * channels + c] = xs.upper[ox] + c
        lerps[ox * channels + c] = xs.lerp[ox]
      }
    }
    // One spare float after each row for the SIMD4 stores of 3-channel pixels.
    var cache = [Float](repeating: 0, count: 2 * outRow + 2)
    // An input row as exact floats, with room for the last pixel's four-lane load.
    var inputRow = [Float](repeating: 0, count: rowStride + 4)
    left.withUnsafeBufferPointer { left in
      right.withUnsafeBufferPointer { right in
        lerps.withUnsafeBufferPointer { lerps in
          pixelLerps.withUnsafeBufferPointer { pixelLerps in
            inputRow.withUnsafeMutableBufferPointer { inputRow in
              cache.withUnsafeMutableBufferPointer { cache in
                guard let rowA = cache.baseAddress, let floatRow = inputRow.baseAddress else { return }
                let rowB = rowA + outRow + 1
                var cachedA = -1
                var cachedB = -1
                func interpolate(_ inputRow: Int, into row: UnsafeMutablePointer<Float>) {
                  let s = src + inputRow * rowStride
                  var start = 0
                  if channels >= 3, let left = left.baseAddress, let right = right.baseAddress,
                    let pixelLerps = pixelLerps.baseAddress
                  {
                    // The row converted to floats once (16 samples per step), then one pixel's channels
                    // per SIMD4, lane for lane the scalar formula; a 3-channel pixel's fourth lane reads
                    // the next sample (or the spare float) and is overwritten by the next pixel.
                    let raw = UnsafeRawPointer(s)
                    let floats = UnsafeMutableRawPointer(floatRow)
                    var j = 0
                    while j &+ 16 <= rowStride {
                      let (f0, f1, f2, f3) = exactFloats(
                        raw.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self))
                      floats.storeBytes(of: f0, toByteOffset: j &* 4, as: SIMD4<Float>.self)
                      floats.storeBytes(of: f1, toByteOffset: j &* 4 &+ 16, as: SIMD4<Float>.self)
                      floats.storeBytes(of: f2, toByteOffset: j &* 4 &+ 32, as: SIMD4<Float>.self)
                      floats.storeBytes(of: f3, toByteOffset: j &* 4 &+ 48, as: SIMD4<Float>.self)
                      j &+= 16
                    }
                    while j < rowStride {
                      floatRow[j] = Float(s[j])
                      j &+= 1
                    }
                    let read = UnsafeRawPointer(floatRow)
                    let out = UnsafeMutableRawPointer(row)
                    for ox in 0..<outWidth {
                      let i = ox &* channels
                      let l = read.loadUnaligned(fromByteOffset: left[i] &* 4, as: SIMD4<Float>.self)
                      let r = read.loadUnaligned(fromByteOffset: right[i] &* 4, as: SIMD4<Float>.self)
                      out.storeBytes(
                        of: l + (r - l) * pixelLerps[ox], toByteOffset: i &* 4, as: SIMD4<Float>.self)
                    }
                    start = outRow
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
                  /// `⌊t + (b − t)·yLerp + 0.5⌋` for the four samples at `i` (all in `0...255`).
                  @inline(__always) func blended(_ i: Int) -> SIMD4<UInt8> {
                    let t = a.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self)
                    let v =
                      t + (b.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self) - t) * lerpVector
                    return floorBytes(v + half)
                  }
                  var i = 0
                  // Sixteen samples per store.
                  while i &+ 16 <= outRow {
                    let result = SIMD16(
                      lowHalf: SIMD8(lowHalf: blended(i), highHalf: blended(i &+ 4)),
                      highHalf: SIMD8(lowHalf: blended(i &+ 8), highHalf: blended(i &+ 12)))
                    out.storeBytes(of: result, toByteOffset: i, as: SIMD16<UInt8>.self)
                    i &+= 16
                  }
                  while i + 4 <= outRow {
                    out.storeBytes(
                      of: unsafeBitCast(blended(i), to: UInt32.self), toByteOffset: i, as: UInt32.self)
                    i &+= 4
                  }
                  while i < outRow {
                    let t = rowA[i]
                    d[i] = blendToUInt8(t + (rowB[i] - t) * yLerp)
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
  }

  static func nearestTable(inputSize: Int, outputSize: Int, stride: Int) -> [Int] {
    let scale = Float(inputSize) / Float(outputSize)
    return (0..<outputSize).map { i in
      let position = ((Float(i) + 0.5) * scale).rounded(.down)
      return max(0, min(Int(position), inputSize - 1)) * stride
    }
  }

  static func resizeNearest(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let rows = nearestTable(inputSize: inHeight, outputSize: outHeight, stride: inWidth * channels)
    let columns = nearestTable(inputSize: inWidth, outputSize: outWidth, stride: channels)
    columns.withUnsafeBufferPointer { cols in
      var d = dst
      for oy in 0..<outHeight {
        let row = src + rows[oy]
        for ox in 0..<outWidth {
          let s = row + cols[ox]
          for c in 0..<channels { d[c] = s[c] }
          d += channels
        }
      }
    }
  }

  /// The input cells one output cell of an area resize covers along one axis, with their weights.
  struct AreaSpan {
    var indices: [Int]
    var weights: [Float]
  }

  static func areaSpans(inputSize: Int, outputSize: Int) -> [AreaSpan] {
    let scale = Float(inputSize) / Float(outputSize)
    return (0..<outputSize).map { o in
      let start = Float(o) * scale
      let end = Float(o + 1) * scale
      let first = Int(start.rounded(.down))
      let last = Int(end.rounded(.up))
      var span = AreaSpan(indices: [], weights: [])
      for i in first..<max(last, first + 1) {
        let fi = Float(i)
        let weight: Float
        if fi < start {
          weight = fi + 1 > end ? scale : fi + 1 - start
        } else {
          weight = fi + 1 > end ? end - fi : 1
        }
        span.indices.append(min(max(i, 0), inputSize - 1))
        span.weights.append(weight)
      }
      return span
    }
  }

  static func resizeArea(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let ySpans = areaSpans(inputSize: inHeight, outputSize: outHeight)
    let xSpans = areaSpans(inputSize: inWidth, outputSize: outWidth)
    let scale = 1 / ((Float(inHeight) / Float(outHeight)) * (Float(inWidth) / Float(outWidth)))
    let rowStride = inWidth * channels
    var d = dst
    for oy in 0..<outHeight {
      let ySpan = ySpans[oy]
      for ox in 0..<outWidth {
        let xSpan = xSpans[ox]
        for c in 0..<channels {
          var sum: Float = 0
          for (yi, yIndex) in ySpan.indices.enumerated() {
            let row = src + yIndex * rowStride + c
            var sumY: Float = 0
            for (xi, xIndex) in xSpan.indices.enumerated() {
              sumY += Float(row[xIndex * channels]) * xSpan.weights[xi]
            }
            sum += sumY * ySpan.weights[yi]
          }
          d[c] = toUInt8(sum * scale)
        }
        d += channels
      }
    }
  }
}

#if X86_64_V3
  import _Builtin_intrinsics.intel
#endif

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
  /// float row and cached (``BilinearRows``); output rows then blend two cached rows
  /// (`t + (b − t)·yLerp`), sixteen samples per step.
  static func resizeBilinear(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let rowStride = inWidth * channels
    let outRow = outWidth * channels
    let ys = LerpTable(inputSize: inHeight, outputSize: outHeight, stride: 1)
    let xs = LerpTable(inputSize: inWidth, outputSize: outWidth, stride: channels)
    // 3 and 4 channels: one table entry per output pixel; 1 and 2: one per output sample.
    let perPixel = channels >= 3
    let entries = perPixel ? outWidth : outRow
    // Floats: two cached rows with a spare float each (the 3-channel SIMD4 stores), the input row as
    // floats with room for the last pixel's four-lane load, and the horizontal lerps.
    let cachedRow = outRow + 1
    let floatCount = 2 * cachedRow + rowStride + 4 + entries
    withUnsafeTemporaryAllocation(of: Float.self, capacity: floatCount) { floats in
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * entries) { offsets in
        guard let floatBase = floats.baseAddress, let offsetBase = offsets.baseAddress else { return }
        var rowA = floatBase
        var rowB = rowA + cachedRow
        let inputRow = floatBase + 2 * cachedRow
        let lerps = inputRow + rowStride + 4
        let left = offsetBase
        let right = offsetBase + entries
        for e in 0..<entries {
          let ox = perPixel ? e : e / channels
          let c = perPixel ? 0 : e % channels
          left[e] = Int32(xs.lower[ox] + c)
          right[e] = Int32(xs.upper[ox] + c)
          lerps[e] = xs.lerp[ox]
        }
        (inputRow + rowStride).initialize(repeating: 0, count: 4)
        let rows = BilinearRows(
          source: src, rowStride: rowStride, channels: channels, outWidth: outWidth, left: left,
          right: right, lerps: lerps, inputRow: inputRow,
          directPixels: perPixel ? (0..<outWidth).first { Int(right[$0]) + 4 > rowStride } ?? outWidth : 0)
        var cachedA = -1
        var cachedB = -1
        var d = dst
        for oy in 0..<outHeight {
          let lower = ys.lower[oy]
          let upper = ys.upper[oy]
          // Keep `lower` in A and `upper` in B, reusing whichever row is already cached (B's row
          // becomes A by swapping the two buffers).
          if cachedA != lower {
            if cachedB == lower {
              swap(&rowA, &rowB)
              swap(&cachedA, &cachedB)
            } else {
              rows.interpolate(lower, into: rowA)
              cachedA = lower
            }
          }
          if cachedB != upper {
            if upper == lower {
              rowB.update(from: rowA, count: outRow)
            } else {
              rows.interpolate(upper, into: rowB)
            }
            cachedB = upper
          }
          blendRows(rowA, rowB, ys.lerp[oy], into: d, count: outRow)
          d += outRow
        }
      }
    }
  }

  /// `⌊t + (b − t)·yLerp + 0.5⌋` for `count` samples of two cached rows (all in `0...255`), sixteen
  /// per step.
  @inline(__always)
  static func blendRows(
    _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ yLerp: Float,
    into d: UnsafeMutablePointer<UInt8>, count: Int
  ) {
    let a = UnsafeRawPointer(top)
    let b = UnsafeRawPointer(bottom)
    let out = UnsafeMutableRawPointer(d)
    let lerp = SIMD16<Float>(repeating: yLerp)
    var i = 0
    while i &+ 16 <= count {
      let t = a.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
      let v = t + (b.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) - t) * lerp
      out.storeBytes(of: clampedBytes16(v), toByteOffset: i, as: SIMD16<UInt8>.self)
      i &+= 16
    }
    while i < count {
      let t = top[i]
      d[i] = blendToUInt8(t + (bottom[i] - t) * yLerp)
      i &+= 1
    }
  }

  /// The horizontal pass of a bilinear resize: one input row to `outWidth` interpolated pixels as
  /// float32, `left + (right − left)·xLerp` sample for sample (TensorFlow's order).
  ///
  /// Invariants: `left`/`right` hold element offsets into an input row (per output pixel, channel 0,
  /// for 3 and 4 channels; per output sample for 1 and 2) and `lerps` the matching weights;
  /// `inputRow` has room for `rowStride + 4` floats, the last four 0; a destination row has room for
  /// `outWidth · channels + 1` floats.
  struct BilinearRows {
    let source: UnsafePointer<UInt8>
    let rowStride: Int
    let channels: Int
    let outWidth: Int
    let left: UnsafePointer<Int32>
    let right: UnsafePointer<Int32>
    let lerps: UnsafePointer<Float>
    let inputRow: UnsafeMutablePointer<Float>
    /// How many leading output pixels have both neighbours' four bytes from their first inside the row
    /// (3 and 4 channels; 0 otherwise).
    let directPixels: Int

    /// Interpolates input row `y` into `row`.
    @inline(__always)
    func interpolate(_ y: Int, into row: UnsafeMutablePointer<Float>) {
      let s = source + y &* rowStride
      guard channels >= 3 else {
        for i in 0..<(outWidth &* channels) {
          let l = Float(s[Int(left[i])])
          let r = Float(s[Int(right[i])])
          row[i] = l + (r - l) * lerps[i]
        }
        return
      }
      #if X86_64_V3
        if directPixels > 0 {
          // Each neighbour's four bytes straight to exact floats (`vpmovzxbd`, `vcvtdq2ps`); the
          // lanes are the SIMD4 path's below.
          let raw = UnsafeRawPointer(s)
          let out = UnsafeMutableRawPointer(row)
          let step = channels &* 4
          var o = 0
          @inline(__always) func pixel(_ offset: Int32) -> SIMD4<Float> {
            let word = Int32(bitPattern: raw.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self))
            return _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(word)))
          }
          for ox in 0..<directPixels {
            let l = pixel(left[ox])
            let r = pixel(right[ox])
            out.storeBytes(
              of: l + (r - l) * SIMD4(repeating: lerps[ox]), toByteOffset: o, as: SIMD4<Float>.self)
            o &+= step
          }
          // The last pixels (a neighbour among the row's last three bytes) sample by sample.
          for ox in directPixels..<outWidth {
            for c in 0..<channels {
              let l = Float(s[Int(left[ox]) &+ c])
              let r = Float(s[Int(right[ox]) &+ c])
              row[ox &* channels &+ c] = l + (r - l) * lerps[ox]
            }
          }
          return
        }
      #endif
      // The row as exact floats (sixteen samples per step), then one pixel's channels per SIMD4,
      // lane for lane the scalar formula; a 3-channel pixel's fourth lane reads the next sample (or a
      // spare 0) and is overwritten by the next pixel (or lands on the destination's spare float).
      let raw = UnsafeRawPointer(s)
      let floats = UnsafeMutableRawPointer(inputRow)
      var j = 0
      while j &+ 16 <= rowStride {
        floats.storeBytes(
          of: exactFloats16(raw.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self)),
          toByteOffset: j &* 4, as: SIMD16<Float>.self)
        j &+= 16
      }
      while j < rowStride {
        inputRow[j] = Float(s[j])
        j &+= 1
      }
      let read = UnsafeRawPointer(inputRow)
      let out = UnsafeMutableRawPointer(row)
      let step = channels &* 4
      var o = 0
      for ox in 0..<outWidth {
        let l = read.loadUnaligned(fromByteOffset: Int(left[ox]) &* 4, as: SIMD4<Float>.self)
        let r = read.loadUnaligned(fromByteOffset: Int(right[ox]) &* 4, as: SIMD4<Float>.self)
        out.storeBytes(of: l + (r - l) * SIMD4(repeating: lerps[ox]), toByteOffset: o, as: SIMD4<Float>.self)
        o &+= step
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

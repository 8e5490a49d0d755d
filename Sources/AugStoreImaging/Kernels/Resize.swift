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
    var output = Tensor(height: height, width: width, channels: image.channels)
    image.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { destination in
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
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
    return output
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

  static func resizeBilinear(
    _ src: UnsafePointer<UInt8>, _ inHeight: Int, _ inWidth: Int, _ channels: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ outHeight: Int, _ outWidth: Int
  ) {
    let rowStride = inWidth * channels
    let ys = LerpTable(inputSize: inHeight, outputSize: outHeight, stride: rowStride)
    let xs = LerpTable(inputSize: inWidth, outputSize: outWidth, stride: channels)
    xs.lower.withUnsafeBufferPointer { xLower in
      xs.upper.withUnsafeBufferPointer { xUpper in
        xs.lerp.withUnsafeBufferPointer { xLerp in
          var d = dst
          for oy in 0..<outHeight {
            let top = src + ys.lower[oy]
            let bottom = src + ys.upper[oy]
            let yLerp = ys.lerp[oy]
            for ox in 0..<outWidth {
              let l = xLower[ox]
              let u = xUpper[ox]
              let xl = xLerp[ox]
              for c in 0..<channels {
                let topLeft = Float(top[l + c])
                let topRight = Float(top[u + c])
                let bottomLeft = Float(bottom[l + c])
                let bottomRight = Float(bottom[u + c])
                let t = topLeft + (topRight - topLeft) * xl
                let b = bottomLeft + (bottomRight - bottomLeft) * xl
                d[c] = toUInt8(t + (b - t) * yLerp)
              }
              d += channels
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

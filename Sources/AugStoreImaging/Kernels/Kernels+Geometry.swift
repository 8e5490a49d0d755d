extension Kernels {
  /// Mirrors `image` left–right (`horizontal`), top–bottom (`vertical`), or both; exact.
  public static func flip(_ image: Tensor, horizontal: Bool, vertical: Bool) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    let rowLength = width * channels
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: height, width: width, channels: channels) { dst in
        guard let src = source.baseAddress else { return }
        for y in 0..<height {
          let sourceRow = src + (vertical ? height - 1 - y : y) * rowLength
          let destinationRow = dst + y * rowLength
          if !horizontal {
            destinationRow.update(from: sourceRow, count: rowLength)
            continue
          }
          switch channels {
          case 1:
            for x in 0..<width { destinationRow[x] = sourceRow[width - 1 - x] }
          case 3:
            // Four-byte moves; the last pixel is copied bytewise so no read passes the row's end.
            let s = UnsafeRawPointer(sourceRow)
            let d = UnsafeMutableRawPointer(destinationRow)
            var x = 0
            while x < width - 1 {
              let word = s.loadUnaligned(fromByteOffset: (width - 1 - x) * 3 - 1, as: UInt32.self)
              d.storeBytes(of: word >> 8, toByteOffset: x * 3, as: UInt32.self)
              x += 1
            }
            let last = sourceRow
            destinationRow[(width - 1) * 3] = last[0]
            destinationRow[(width - 1) * 3 + 1] = last[1]
            destinationRow[(width - 1) * 3 + 2] = last[2]
          default:
            for x in 0..<width {
              let s = sourceRow + (width - 1 - x) * channels
              let d = destinationRow + x * channels
              for c in 0..<channels { d[c] = s[c] }
            }
          }
        }
      }
    }
  }

  /// The `height`×`width` window of `image` whose top-left pixel is (`x`, `y`); exact.
  ///
  /// The window must lie inside the image.
  public static func crop(_ image: Tensor, x: Int, y: Int, height: Int, width: Int) -> Tensor {
    precondition(height > 0 && width > 0 && x >= 0 && y >= 0)
    precondition(x + width <= image.width && y + height <= image.height, "crop window outside the image")
    let channels = image.channels
    let rowLength = width * channels
    let sourceRowLength = image.width * channels
    var output = Tensor(height: height, width: width, channels: channels)
    image.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { destination in
        guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
        for row in 0..<height {
          (dst + row * rowLength).update(
            from: src + (y + row) * sourceRowLength + x * channels, count: rowLength)
        }
      }
    }
    return output
  }

  /// The centred `height`×`width` window of `image`, offsets `(image.height − height) / 2` and
  /// `(image.width − width) / 2` rounded down, as Keras `CenterCrop` when the image is large enough.
  public static func centerCrop(_ image: Tensor, height: Int, width: Int) -> Tensor {
    crop(image, x: (image.width - width) / 2, y: (image.height - height) / 2, height: height, width: width)
  }

  /// Resamples `image` through `transform` in one pass, exactly as TensorFlow's
  /// `ImageProjectiveTransformV3` does on float32 images (what Keras 3 geometric layers call).
  ///
  /// For each output pixel the input coordinate is `(a0·x + a1·y) + a2` (float32, in that order), mapped
  /// into the image by `fillMode` (`map_coordinate`: reflect, wrap and nearest clamp into
  /// `[0, size − 1]`; constant leaves it as is). `.nearest` reads the pixel at the coordinate rounded
  /// half away from zero; `.bilinear` blends the four neighbours with TensorFlow's float32 formula. Any
  /// neighbour outside the image reads as `fillValue`, so with `.constant` the border blends into the
  /// fill colour over one pixel, and a nearest coordinate of −0.4 still reads column 0 (as TF does).
  /// The float result is rounded half away from zero and clamped to `0...255`.
  ///
  /// - Parameters:
  ///   - outputHeight: rows of the result; defaults to the input's.
  ///   - outputWidth: columns of the result; defaults to the input's.
  public static func affine(
    _ image: Tensor, _ transform: AffineTransform, outputHeight: Int? = nil, outputWidth: Int? = nil,
    interpolation: Interpolation = .bilinear, fillMode: FillMode = .reflect, fillValue: Float = 0
  ) -> Tensor {
    let outHeight = outputHeight ?? image.height
    let outWidth = outputWidth ?? image.width
    let sampler = AffineSampler(
      transform: transform, inputHeight: image.height, inputWidth: image.width,
      channels: image.channels, fillMode: fillMode, fillValue: fillValue)
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: outHeight, width: outWidth, channels: image.channels) { dst in
        guard let src = source.baseAddress else { return }
        switch interpolation {
        case .bilinear:
          sampler.bilinear(src, dst, outHeight: outHeight, outWidth: outWidth)
        case .nearest:
          sampler.nearest(src, dst, outHeight: outHeight, outWidth: outWidth)
        }
      }
    }
  }
}

/// The per-image state of one affine resampling pass.
struct AffineSampler {
  let a0: Float
  let a1: Float
  let a2: Float
  let b0: Float
  let b1: Float
  let b2: Float
  let inputHeight: Int
  let inputWidth: Int
  let channels: Int
  let fillMode: FillMode
  let fillValue: Float
  let fill: UInt8

  init(
    transform: AffineTransform, inputHeight: Int, inputWidth: Int, channels: Int, fillMode: FillMode,
    fillValue: Float
  ) {
    a0 = Float(transform.a0)
    a1 = Float(transform.a1)
    a2 = Float(transform.a2)
    b0 = Float(transform.b0)
    b1 = Float(transform.b1)
    b2 = Float(transform.b2)
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    self.channels = channels
    self.fillMode = fillMode
    self.fillValue = fillValue
    self.fill = Kernels.toUInt8(fillValue)
  }

  /// TensorFlow's `MapCoordinate` for this sampler's fill mode, in float32 as TF computes it.
  @inline(__always)
  func map(_ coordinate: Float, _ length: Int) -> Float {
    let lenMinusOne = Float(length - 1)
    var c = coordinate
    switch fillMode {
    case .constant:
      return c
    case .nearest:
      return min(max(c, 0), lenMinusOne)
    case .reflect:
      // Beyond ±2³⁰ TF's integer casts are undefined; any in-range answer will do.
      guard abs(c) < 1_073_741_824 else { return 0 }
      if c < 0 {
        if length <= 1 {
          c = 0
        } else {
          let sz2 = 2 * length
          if c < Float(sz2) {
            c = Float(sz2 * Int(-c / Float(sz2))) + c
          }
          c = c < Float(-length) ? c + Float(sz2) : -c - 1
        }
      } else if c > lenMinusOne {
        if length <= 1 {
          c = 0
        } else {
          let sz2 = 2 * length
          c -= Float(sz2 * Int(c / Float(sz2)))
          if c >= Float(length) {
            c = Float(sz2) - c - 1
          }
        }
      }
      return min(max(c, 0), lenMinusOne)
    case .wrap:
      guard abs(c) < 1_073_741_824 else { return 0 }
      if c < 0 {
        if length <= 1 {
          c = 0
        } else {
          let sz = length - 1
          c += Float(length * (Int(-c / Float(sz)) + 1))
        }
      } else if c > lenMinusOne {
        if length <= 1 {
          c = 0
        } else {
          let sz = length - 1
          c -= Float(length * Int(c / Float(sz)))
        }
      }
      return min(max(c, 0), lenMinusOne)
    }
  }

  /// Input x of output column x on a row whose `a1·y` is `rowX` (TF's float32 evaluation order).
  @inline(__always)
  func sourceX(_ x: Float, _ rowX: Float) -> Float { (a0 * x + rowX) + a2 }

  @inline(__always)
  func sourceY(_ x: Float, _ rowY: Float) -> Float { (b0 * x + rowY) + b2 }

  func nearest(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int
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
        // Rounded coordinates inside [-0.5, size - 0.5) read a pixel; the rest (constant mode only) fill.
        let mappedX = map(sourceX(fx, rowX), inputWidth)
        let mappedY = map(sourceY(fx, rowY), inputHeight)
        // Far outside (constant mode only) is fill; the guard also keeps the integer casts in range.
        let x = abs(mappedX) < 1_073_741_824 ? Kernels.roundSmall(mappedX) : -1
        let y = abs(mappedY) < 1_073_741_824 ? Kernels.roundSmall(mappedY) : -1
        if x >= 0 && x <= maxX && y >= 0 && y <= maxY {
          let s = src + Int(y) * rowStride + Int(x) * channels
          for c in 0..<channels { d[c] = s[c] }
        } else {
          for c in 0..<channels { d[c] = fill }
        }
        d += channels
      }
    }
  }

  func bilinear(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int
  ) {
    let maxX = Float(inputWidth - 1)
    let maxY = Float(inputHeight - 1)
    let rowStride = inputWidth * channels
    let lastX = inputWidth - 1
    let lastY = inputHeight - 1
    var d = dst
    for oy in 0..<outHeight {
      let fy = Float(oy)
      let rowX = a1 * fy
      let rowY = b1 * fy
      for ox in 0..<outWidth {
        let fx = Float(ox)
        var x = sourceX(fx, rowX)
        var y = sourceY(fx, rowY)
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
        let xCeil = xFloor + 1
        let yCeil = yFloor + 1
        let x0 = Int(xFloor)
        let y0 = Int(yFloor)
        // A neighbour past the last column or row has weight exactly 0 (x == xFloor), so reading the
        // edge pixel instead of TF's fill value gives the same float result.
        let x1 = min(x0 + 1, lastX)
        let y1 = min(y0 + 1, lastY)
        let wx0 = xCeil - x
        let wx1 = x - xFloor
        let wy0 = yCeil - y
        let wy1 = y - yFloor
        let r0 = src + y0 * rowStride
        let r1 = src + y1 * rowStride
        let p00 = r0 + x0 * channels
        let p01 = r0 + x1 * channels
        let p10 = r1 + x0 * channels
        let p11 = r1 + x1 * channels
        // Weights are non-negative and sum to 1, so the blend stays within 0...255.
        if channels == 3 {
          let top0 = wx0 * Float(p00[0]) + wx1 * Float(p01[0])
          let top1 = wx0 * Float(p00[1]) + wx1 * Float(p01[1])
          let top2 = wx0 * Float(p00[2]) + wx1 * Float(p01[2])
          let bottom0 = wx0 * Float(p10[0]) + wx1 * Float(p11[0])
          let bottom1 = wx0 * Float(p10[1]) + wx1 * Float(p11[1])
          let bottom2 = wx0 * Float(p10[2]) + wx1 * Float(p11[2])
          d[0] = Kernels.blendToUInt8(wy0 * top0 + wy1 * bottom0)
          d[1] = Kernels.blendToUInt8(wy0 * top1 + wy1 * bottom1)
          d[2] = Kernels.blendToUInt8(wy0 * top2 + wy1 * bottom2)
        } else {
          for c in 0..<channels {
            let top = wx0 * Float(p00[c]) + wx1 * Float(p01[c])
            let bottom = wx0 * Float(p10[c]) + wx1 * Float(p11[c])
            d[c] = Kernels.blendToUInt8(wy0 * top + wy1 * bottom)
          }
        }
        d += channels
      }
    }
  }

  /// Constant-mode bilinear sample at a coordinate outside `[0, size − 1]`: neighbours outside the image
  /// read as the fill value, exactly as TensorFlow's `read_with_fill_value`.
  @inline(never)
  func borderBilinear(_ src: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, x: Float, y: Float) {
    guard x > -1 && x < Float(inputWidth) && y > -1 && y < Float(inputHeight) else {
      for c in 0..<channels { d[c] = fill }
      return
    }
    let xFloor = Kernels.floorSmall(x)
    let yFloor = Kernels.floorSmall(y)
    let wx0 = (xFloor + 1) - x
    let wx1 = x - xFloor
    let wy0 = (yFloor + 1) - y
    let wy1 = y - yFloor
    let x0 = Int(xFloor)
    let y0 = Int(yFloor)
    let x0In = x0 >= 0
    let x1In = x0 + 1 < inputWidth
    let y0In = y0 >= 0
    let y1In = y0 + 1 < inputHeight
    let rowStride = inputWidth * channels
    for c in 0..<channels {
      func read(_ inside: Bool, _ row: Int, _ column: Int) -> Float {
        inside ? Float(src[row * rowStride + column * channels + c]) : fillValue
      }
      let top = wx0 * read(y0In && x0In, y0, x0) + wx1 * read(y0In && x1In, y0, x0 + 1)
      let bottom = wx0 * read(y1In && x0In, y0 + 1, x0) + wx1 * read(y1In && x1In, y0 + 1, x0 + 1)
      d[c] = Kernels.toUInt8(wy0 * top + wy1 * bottom)
    }
  }
}

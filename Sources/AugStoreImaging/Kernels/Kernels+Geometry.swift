import CKernels

extension Kernels {
  /// Mirrors `image` left–right (`horizontal`), top–bottom (`vertical`), or both; exact.
  public static func flip(_ image: Tensor, horizontal: Bool, vertical: Bool) -> Tensor {
    flip(image, horizontal: horizontal, vertical: vertical, features: .current)
  }

  /// ``flip(_:horizontal:vertical:)`` with the processor features it may use: with SSSE3, the
  /// baseline build reverses RGB rows with `augstore_reverse_rgb_row_ssse3`, the byte shuffles of
  /// ``reverseRGBRowShuffled(_:_:width:)`` compiled for SSSE3.
  static func flip(_ image: Tensor, horizontal: Bool, vertical: Bool, features: ProcessorFeatures) -> Tensor {
    let height = image.height
    let width = image.width
    let channels = image.channels
    let rowLength = width * channels
    // A row-at-a-time byte shuffle where the build or the processor has one.
    typealias RowReversal = (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>, Int) -> Void
    #if X86_64_V3
      let shuffledRow: RowReversal? = { reverseRGBRowShuffled($0, $1, width: $2) }
    #else
      let shuffledRow: RowReversal? = features.ssse3 ? { augstore_reverse_rgb_row_ssse3($0, $1, $2) } : nil
    #endif
    if horizontal && channels == 3, let reverseRow = shuffledRow {
      return image.withUnsafeBufferPointer { source in
        makeTensor(height: height, width: width, channels: channels) { dst in
          guard let src = source.baseAddress else { return }
          for y in 0..<height {
            reverseRow(src + (vertical ? height - 1 - y : y) * rowLength, dst + y * rowLength, width)
          }
        }
      }
    }
    if horizontal && channels == 3 {
      // Three-sample pixels are reversed through two scratch rows (see `reverseRGBRows`).
      var scratch = [UInt8](repeating: 0, count: 2 * (rowLength + 6))
      let masks = rgbReverseMasks()
      return image.withUnsafeBufferPointer { source in
        scratch.withUnsafeMutableBufferPointer { scratch in
          masks.withUnsafeBufferPointer { masks in
            makeTensor(height: height, width: width, channels: channels) { dst in
              guard let src = source.baseAddress, let scratch = scratch.baseAddress,
                let masks = masks.baseAddress
              else { return }
              reverseRGBRows(
                height: height, width: width, scratch: scratch, masks: masks,
                rowSource: { src + (vertical ? height - 1 - $0 : $0) * rowLength },
                rowDestination: { dst + $0 * rowLength })
            }
          }
        }
      }
    }
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: height, width: width, channels: channels) { dst in
        guard let src = source.baseAddress else { return }
        for y in 0..<height {
          let sourceRow = src + (vertical ? height - 1 - y : y) * rowLength
          let destinationRow = dst + y * rowLength
          if horizontal {
            reverseRow(sourceRow, destinationRow, width: width, channels: channels)
          } else {
            destinationRow.update(from: sourceRow, count: rowLength)
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
    affine(
      image, transform, outputHeight: outputHeight, outputWidth: outputWidth, interpolation: interpolation,
      fillMode: fillMode, fillValue: fillValue, region: nil)
  }

  /// ``affine(_:_:outputHeight:outputWidth:interpolation:fillMode:fillValue:)`` where only the output
  /// pixels inside `region` will be read: pixels outside it may be left 0 instead of computed (the
  /// pixels inside are the same bytes either way).
  ///
  /// For a resampling pass whose result another pass resamples: `region` is then that pass's
  /// ``affineReadRegion(_:inputHeight:inputWidth:outputHeight:outputWidth:interpolation:fillMode:)``.
  package static func affine(
    _ image: Tensor, _ transform: AffineTransform, outputHeight: Int? = nil, outputWidth: Int? = nil,
    interpolation: Interpolation = .bilinear, fillMode: FillMode = .reflect, fillValue: Float = 0,
    region: PixelRegion?
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
          sampler.bilinear(src, dst, outHeight: outHeight, outWidth: outWidth, region: region)
        case .nearest:
          sampler.nearest(src, dst, outHeight: outHeight, outWidth: outWidth)
        }
      }
    }
  }

  /// The input pixels an affine resampling pass reads, when that is known to be less than the whole
  /// input; `nil` when it may read any pixel.
  ///
  /// Known for bilinear passes that map columns to columns and rows to rows (zoom, translation, and
  /// the crops and flips folded into them), whichever fill mode but `.constant`: the region spans the
  /// lower and upper neighbours of every output column and row, from the same per-axis tables the pass
  /// itself samples with (``AffineSampler/separableAxes(outHeight:outWidth:)``), so it is exact.
  package static func affineReadRegion(
    _ transform: AffineTransform, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
    interpolation: Interpolation, fillMode: FillMode
  ) -> PixelRegion? {
    let sampler = AffineSampler(
      transform: transform, inputHeight: inputHeight, inputWidth: inputWidth, channels: 1,
      fillMode: fillMode, fillValue: 0)
    guard interpolation == .bilinear, sampler.isSeparable, outputHeight > 0, outputWidth > 0 else {
      return nil
    }
    let (xs, ys) = sampler.separableAxes(outHeight: outputHeight, outWidth: outputWidth)
    guard let left = xs.lower.min(), let right = xs.upper.max(), let top = ys.lower.min(),
      let bottom = ys.upper.max()
    else { return nil }
    return PixelRegion(rows: top..<(bottom + 1), columns: left..<(right + 1))
  }
}

/// A rectangle of pixels: the rows and columns it spans.
package struct PixelRegion: Sendable, Equatable {
  /// The rows, top to bottom.
  package var rows: Range<Int>
  /// The columns, left to right.
  package var columns: Range<Int>

  /// Creates the region of `rows` × `columns`.
  package init(rows: Range<Int>, columns: Range<Int>) {
    self.rows = rows
    self.columns = columns
  }
}

/// The per-image state of one affine resampling pass.
///
/// Its paths (scalar, separable, SIMD4 per pixel, eight lanes) share one definition of the per-pixel
/// math: the fill-mode mapping ``map(_:_:)`` / ``mapLanes(_:_:)``, ``weights(_:floor:)`` and
/// ``blend(_:_:_:_:_:_:_:_:)``, generic over ``FloatLanes`` (AffineSampler+Pixel.swift, with the
/// invariants that keep every path's bytes identical).
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

  /// Zoom, translation and flips: input x depends on the column only, input y on the row only
  /// (``bilinearSeparable(_:_:outHeight:outWidth:)``).
  var isSeparable: Bool { a1 == 0 && b0 == 0 && fillMode != .constant }

  /// Bilinear resampling into `outHeight` × `outWidth` pixels at `dst`; with a `region`, the pixels
  /// outside it may be left 0 instead of computed (the eight-lane path does so).
  func bilinear(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int,
    region: PixelRegion? = nil
  ) {
    if isSeparable {
      bilinearSeparable(src, dst, outHeight: outHeight, outWidth: outWidth)
      return
    }
    if supportsLanes {
      let all = PixelRegion(rows: 0..<outHeight, columns: 0..<outWidth)
      let rows = region.map { $0.rows.clamped(to: all.rows) } ?? all.rows
      var columns = region.map { $0.columns.clamped(to: all.columns) } ?? all.columns
      // Whole steps of eight where the output allows: a remainder goes pixel by pixel, far slower.
      let stepped = min((columns.count + 7) / 8 * 8, outWidth)
      let start = min(columns.lowerBound, outWidth - stepped)
      columns = start..<(start + stepped)
      Kernels.zeroOutside(dst, height: outHeight, width: outWidth, channels: 3, rows: rows, columns: columns)
      bilinearLanes(src, dst, outHeight: outHeight, outWidth: outWidth, rows: rows, columns: columns)
      return
    }
    if (channels == 3 || channels == 4) && inputWidth < 1 << 22 && inputHeight < 1 << 22 {
      bilinearVector(src, dst, outHeight: outHeight, outWidth: outWidth)
      return
    }
    bilinearScalar(src, dst, outHeight: outHeight, outWidth: outWidth)
  }

  /// ``bilinear(_:_:outHeight:outWidth:)`` for 3 and 4 channels: one pixel's channels per `SIMD4<Float>`.
  ///
  /// Lane by lane the arithmetic is the scalar path's (the same ``weights(_:floor:)`` and
  /// ``blend(_:_:_:_:_:_:_:_:)``, instantiated for `SIMD4<Float>`), so the bytes are identical; mapped
  /// coordinates go through the scalar ``map(_:_:)``, and pixels whose 4-byte read would pass the end of
  /// the input (the last input pixel, 3 channels) fall back to ``bilinearPixel(_:_:x:y:)``.
  func bilinearVector(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int
  ) {
    let maxX = Float(inputWidth - 1)
    let maxY = Float(inputHeight - 1)
    let rowStride = inputWidth * channels
    let lastX = inputWidth - 1
    let lastY = inputHeight - 1
    let lastOffset = inputHeight * rowStride - 4
    let raw = UnsafeRawPointer(src)
    let half = SIMD4<Float>(repeating: 0.5)
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
        // 0 <= x, y < 2^22 here (see `bilinear`): the exact floor without checked conversions.
        let x0 = Kernels.floorIndex(x)
        let y0 = Kernels.floorIndex(y)
        let xFloor = Float(x0)
        let yFloor = Float(y0)
        let x1 = min(x0 &+ 1, lastX)
        let y1 = min(y0 &+ 1, lastY)
        let r0 = y0 &* rowStride
        let r1 = y1 &* rowStride
        let c0 = x0 &* channels
        let c1 = x1 &* channels
        let o00 = r0 &+ c0
        let o01 = r0 &+ c1
        let o10 = r1 &+ c0
        let o11 = r1 &+ c1
        if o11 > lastOffset {
          bilinearPixel(src, d, x: x, y: y)
          d += channels
          continue
        }
        let (wx0, wx1) = Self.weights(x, floor: xFloor)
        let (wy0, wy1) = Self.weights(y, floor: yFloor)
        let value = Self.blend(
          SIMD4(repeating: wx0), SIMD4(repeating: wx1), SIMD4(repeating: wy0), SIMD4(repeating: wy1),
          Kernels.floats(raw.loadUnaligned(fromByteOffset: o00, as: SIMD4<UInt8>.self)),
          Kernels.floats(raw.loadUnaligned(fromByteOffset: o01, as: SIMD4<UInt8>.self)),
          Kernels.floats(raw.loadUnaligned(fromByteOffset: o10, as: SIMD4<UInt8>.self)),
          Kernels.floats(raw.loadUnaligned(fromByteOffset: o11, as: SIMD4<UInt8>.self)))
        // Through a general register: byte reads of a vector spilled to the stack stall store forwarding.
        let word = unsafeBitCast(Kernels.floorBytes(value + half), to: UInt32.self)
        if channels == 4 {
          UnsafeMutableRawPointer(d).storeBytes(of: word, as: UInt32.self)
        } else {
          UnsafeMutableRawPointer(d).storeBytes(of: UInt16(truncatingIfNeeded: word), as: UInt16.self)
          d[2] = UInt8(truncatingIfNeeded: word >> 16)
        }
        d += channels
      }
    }
  }

  /// Neighbour indices and weights along one axis, from the exact per-pixel coordinate formula.
  ///
  /// `coordinate(i)` is output index `i`'s input coordinate; it is mapped with the fill mode (never
  /// `.constant`) and floored exactly as ``bilinearScalar(_:_:outHeight:outWidth:)`` does per pixel.
  @inline(__always)
  func axis(
    _ count: Int, _ length: Int, _ coordinate: (Float) -> Float
  ) -> (
    lower: [Int], upper: [Int], w0: [Float], w1: [Float]
  ) {
    var lower = [Int](repeating: 0, count: count)
    var upper = [Int](repeating: 0, count: count)
    var w0 = [Float](repeating: 0, count: count)
    var w1 = [Float](repeating: 0, count: count)
    let maxC = Float(length - 1)
    for i in 0..<count {
      var c = coordinate(Float(i))
      if !(c >= 0 && c <= maxC) { c = map(c, length) }
      let cFloor = Kernels.floorSmall(c)
      lower[i] = Int(cFloor)
      upper[i] = min(lower[i] + 1, length - 1)
      (w0[i], w1[i]) = Self.weights(c, floor: cFloor)
    }
    return (lower, upper, w0, w1)
  }

  /// The per-axis neighbours and weights of ``bilinearSeparable(_:_:outHeight:outWidth:)`` (columns,
  /// then rows); also what ``Kernels/affineReadRegion(_:inputHeight:inputWidth:outputHeight:outputWidth:interpolation:fillMode:)``
  /// reads the region from.
  func separableAxes(
    outHeight: Int, outWidth: Int
  ) -> (
    xs: (lower: [Int], upper: [Int], w0: [Float], w1: [Float]),
    ys: (lower: [Int], upper: [Int], w0: [Float], w1: [Float])
  ) {
    let rowX = a1 * 0
    let rowY = b0 * 0
    let xs = axis(outWidth, inputWidth) { (a0 * $0 + rowX) + a2 }
    let ys = axis(outHeight, inputHeight) { (rowY + b1 * $0) + b2 }
    return (xs, ys)
  }

  /// Bilinear resampling when `a1 == 0` and `b0 == 0` (any fill mode but constant).
  ///
  /// The input x of a pixel is `(a0·x + a1·y) + a2` with `a1·y = ±0`, the same float value (up to
  /// the sign of a zero, which cannot change a byte) on every row, and likewise y per row; so the
  /// per-pixel arithmetic of ``bilinearScalar(_:_:outHeight:outWidth:)`` factors into a horizontal
  /// blend `wx0·p0 + wx1·p1` per input row (computed once per input row and cached) and a vertical
  /// blend `wy0·top + wy1·bottom` per output row, four samples at a time. Bytes are identical.
  func bilinearSeparable(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, outHeight: Int, outWidth: Int
  ) {
    let (xs, ys) = separableAxes(outHeight: outHeight, outWidth: outWidth)
    let outRow = outWidth * channels
    var left = [Int](repeating: 0, count: outRow)
    var right = [Int](repeating: 0, count: outRow)
    var w0 = [Float](repeating: 0, count: outRow)
    var w1 = [Float](repeating: 0, count: outRow)
    for ox in 0..<outWidth {
      for c in 0..<channels {
        left[ox * channels + c] = xs.lower[ox] * channels + c
        right[ox * channels + c] = xs.upper[ox] * channels + c
        w0[ox * channels + c] = xs.w0[ox]
        w1[ox * channels + c] = xs.w1[ox]
      }
    }
    let rowStride = inputWidth * channels
    // One spare float after each row for the SIMD4 stores of 3-channel pixels.
    var cache = [Float](repeating: 0, count: 2 * (outRow + 1))
    left.withUnsafeBufferPointer { left in
      right.withUnsafeBufferPointer { right in
        w0.withUnsafeBufferPointer { w0 in
          w1.withUnsafeBufferPointer { w1 in
            cache.withUnsafeMutableBufferPointer { cache in
              guard let rows = cache.baseAddress, let left = left.baseAddress, let right = right.baseAddress,
                let w0 = w0.baseAddress, let w1 = w1.baseAddress
              else { return }
              var tags = (-1, -1)
              func horizontal(_ inputRow: Int, into row: UnsafeMutablePointer<Float>) {
                let s = src + inputRow * rowStride
                var start = 0
                if channels >= 3 {
                  // One pixel's channels per SIMD4 (4-byte reads; the last input pixel is read bytewise
                  // below, and the 4th float lands in the next pixel's slot or the row's spare float).
                  let raw = UnsafeRawPointer(s)
                  let out = UnsafeMutableRawPointer(row)
                  let limit = inputRow == inputHeight - 1 ? rowStride - 4 : rowStride
                  var ox = 0
                  while ox < outWidth {
                    let i = ox &* channels
                    let l = left[i]
                    let r = right[i]
                    if r > limit { break }
                    let p0 = Kernels.floats(raw.loadUnaligned(fromByteOffset: l, as: SIMD4<UInt8>.self))
                    let p1 = Kernels.floats(raw.loadUnaligned(fromByteOffset: r, as: SIMD4<UInt8>.self))
                    let value = Self.lerp(SIMD4(repeating: w0[i]), SIMD4(repeating: w1[i]), p0, p1)
                    out.storeBytes(of: value, toByteOffset: i &* 4, as: SIMD4<Float>.self)
                    ox &+= 1
                  }
                  start = ox * channels
                }
                for i in start..<outRow {
                  row[i] = Self.lerp(w0[i], w1[i], Float(s[left[i]]), Float(s[right[i]]))
                }
              }
              // The cached row (0 or 1) holding `inputRow`, filling the one `keep` does not need.
              func row(_ inputRow: Int, keep: Int) -> UnsafeMutablePointer<Float> {
                if tags.0 == inputRow { return rows }
                if tags.1 == inputRow { return rows + outRow + 1 }
                if keep != 0 {
                  tags.0 = inputRow
                  horizontal(inputRow, into: rows)
                  return rows
                }
                tags.1 = inputRow
                horizontal(inputRow, into: rows + outRow + 1)
                return rows + outRow + 1
              }
              var d = dst
              for oy in 0..<outHeight {
                let top = row(ys.lower[oy], keep: -1)
                let bottom = row(ys.upper[oy], keep: top == rows ? 0 : 1)
                Kernels.blendRows(top, bottom, ys.w0[oy], ys.w1[oy], d, outRow)
                d += outRow
              }
            }
          }
        }
      }
    }
  }

  /// One bilinear sample at a coordinate already inside `[0, size − 1]` (scalar, any channel count).
  @inline(never)
  func bilinearPixel(_ src: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, x: Float, y: Float) {
    let xFloor = Kernels.floorSmall(x)
    let yFloor = Kernels.floorSmall(y)
    let x0 = Int(xFloor)
    let y0 = Int(yFloor)
    let x1 = min(x0 + 1, inputWidth - 1)
    let y1 = min(y0 + 1, inputHeight - 1)
    let (wx0, wx1) = Self.weights(x, floor: xFloor)
    let (wy0, wy1) = Self.weights(y, floor: yFloor)
    let rowStride = inputWidth * channels
    for c in 0..<channels {
      // ``blend(_:_:_:_:_:_:_:_:)`` spelled out as its three `lerp`s, each row read just before its
      // lerp: with all four reads first, the baseline build packs the float steps into two-lane SSE
      // operations (and shuffles) and the scalar perspective path runs about 5% slower.
      let top = Self.lerp(
        wx0, wx1, Float(src[y0 * rowStride + x0 * channels + c]),
        Float(src[y0 * rowStride + x1 * channels + c]))
      let bottom = Self.lerp(
        wx0, wx1, Float(src[y1 * rowStride + x0 * channels + c]),
        Float(src[y1 * rowStride + x1 * channels + c]))
      d[c] = Kernels.blendToUInt8(Self.lerp(wy0, wy1, top, bottom))
    }
  }

  func bilinearScalar(
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
        let x0 = Int(xFloor)
        let y0 = Int(yFloor)
        // A neighbour past the last column or row has weight exactly 0 (x == xFloor), so reading the
        // edge pixel instead of TF's fill value gives the same float result.
        let x1 = min(x0 + 1, lastX)
        let y1 = min(y0 + 1, lastY)
        let (wx0, wx1) = Self.weights(x, floor: xFloor)
        let (wy0, wy1) = Self.weights(y, floor: yFloor)
        let r0 = src + y0 * rowStride
        let r1 = src + y1 * rowStride
        let p00 = r0 + x0 * channels
        let p01 = r0 + x1 * channels
        let p10 = r1 + x0 * channels
        let p11 = r1 + x1 * channels
        // Weights are non-negative and sum to 1, so the blend stays within 0...255.
        // The blend as its three lerps, row by row (see ``bilinearPixel(_:_:x:y:)``).
        @inline(__always) func sample(_ c: Int) -> UInt8 {
          let top = Self.lerp(wx0, wx1, Float(p00[c]), Float(p01[c]))
          let bottom = Self.lerp(wx0, wx1, Float(p10[c]), Float(p11[c]))
          return Kernels.blendToUInt8(Self.lerp(wy0, wy1, top, bottom))
        }
        if channels == 3 {
          d[0] = sample(0)
          d[1] = sample(1)
          d[2] = sample(2)
        } else {
          for c in 0..<channels { d[c] = sample(c) }
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
    let (wx0, wx1) = Self.weights(x, floor: xFloor)
    let (wy0, wy1) = Self.weights(y, floor: yFloor)
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
      // ``blend(_:_:_:_:_:_:_:_:)`` as its three `lerp`s, row by row (see ``bilinearPixel(_:_:x:y:)``).
      let top = Self.lerp(wx0, wx1, read(y0In && x0In, y0, x0), read(y0In && x1In, y0, x0 + 1))
      let bottom = Self.lerp(wx0, wx1, read(y1In && x0In, y0 + 1, x0), read(y1In && x1In, y0 + 1, x0 + 1))
      d[c] = Kernels.toUInt8(Self.lerp(wy0, wy1, top, bottom))
    }
  }
}

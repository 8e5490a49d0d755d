extension Kernels {
  /// Resamples `image` through the projective `transform`, exactly as TensorFlow's
  /// `ImageProjectiveTransformV3` does with `fill_mode="CONSTANT"` on float32 images (what Keras 3
  /// `RandomPerspective` calls through `perspective_transform`).
  ///
  /// For each output pixel `k = (c0·x + c1·y) + 1`; `k == 0` gives the fill value, otherwise the input
  /// coordinate is `(((a0·x + a1·y) + a2) / k, ((b0·x + b1·y) + b2) / k)` in float32. `.nearest` reads
  /// the pixel at the coordinate rounded half away from zero (outside the image: the fill value);
  /// `.bilinear` blends the four neighbours, those outside the image reading as `fillValue`, as
  /// ``affine(_:_:outputHeight:outputWidth:interpolation:fillMode:fillValue:)`` does in constant mode.
  /// The result is rounded half away from zero and clamped to `0...255`.
  public static func perspective(
    _ image: Tensor, _ transform: ProjectiveTransform, interpolation: Interpolation = .bilinear,
    fillValue: Float = 0
  ) -> Tensor {
    let sampler = AffineSampler(
      transform: .identity, inputHeight: image.height, inputWidth: image.width, channels: image.channels,
      fillMode: .constant, fillValue: fillValue)
    let m = transform.coefficients
    let (a0, a1, a2, b0, b1, b2, c0, c1) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7])
    let height = image.height
    let width = image.width
    let channels = image.channels
    let maxX = Float(width - 1)
    let maxY = Float(height - 1)
    let rowStride = width * channels
    let fill = sampler.fill
    return image.withUnsafeBufferPointer { source in
      makeTensor(height: height, width: width, channels: channels) { dst in
        guard let src = source.baseAddress else { return }
        if interpolation == .bilinear && sampler.supportsLanes {
          sampler.perspectiveLanes(src, dst, m)
          return
        }
        var d = dst
        for oy in 0..<height {
          let fy = Float(oy)
          let rowX = a1 * fy
          let rowY = b1 * fy
          let rowK = c1 * fy
          for ox in 0..<width {
            let fx = Float(ox)
            let k = (c0 * fx + rowK) + 1
            if k == 0 {
              for c in 0..<channels { d[c] = fill }
              d += channels
              continue
            }
            let x = ((a0 * fx + rowX) + a2) / k
            let y = ((b0 * fx + rowY) + b2) / k
            switch interpolation {
            case .nearest:
              let rx = abs(x) < 1_073_741_824 ? roundSmall(x) : -1
              let ry = abs(y) < 1_073_741_824 ? roundSmall(y) : -1
              if rx >= 0 && rx <= maxX && ry >= 0 && ry <= maxY {
                let s = src + Int(ry) * rowStride + Int(rx) * channels
                for c in 0..<channels { d[c] = s[c] }
              } else {
                for c in 0..<channels { d[c] = fill }
              }
            case .bilinear:
              if x >= 0 && x <= maxX && y >= 0 && y <= maxY {
                sampler.bilinearPixel(src, d, x: x, y: y)
              } else {
                sampler.borderBilinear(src, d, x: x, y: y)
              }
            }
            d += channels
          }
        }
      }
    }
  }
}

extension AffineSampler {
  /// ``Kernels/perspective(_:_:interpolation:fillValue:)``'s bilinear resampling for RGB images (a
  /// constant-mode sampler whose ``supportsLanes`` holds), eight output pixels at a time.
  ///
  /// Each lane computes the scalar path's float32 operations in the same order: `k = (c0·x + c1·y) + 1`,
  /// the coordinates `((a0·x + a1·y) + a2) / k` and `((b0·x + b1·y) + b2) / k`, and for a coordinate
  /// inside the image the blend of ``bilinearLanes(_:_:outHeight:outWidth:)``
  /// (``blendLanes(_:_:_:_:_:)``), which equals ``bilinearPixel(_:_:x:y:)`` byte for byte. A step where
  /// some lane's coordinate lies outside the image (or is not finite, as where `k` is 0) goes through
  /// ``constantBlendLanes(_:_:_:_:_:)``, which equals the scalar border path lane by lane. A step whose
  /// pair reads would pass the end of the input, or whose fill value the lanes do not take
  /// (``supportsConstantLanes``), goes pixel by pixel through the scalar code, as do the columns past
  /// the last multiple of eight.
  func perspectiveLanes(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ m: [Float]) {
    precondition(supportsLanes && fillMode == .constant && m.count >= 8)
    let (a0, a1, a2, b0, b1, b2, c0, c1) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7])
    let raw = UnsafeRawPointer(src)
    let geometry = LaneGeometry(self)
    let laneOffsets = Lanes(0, 1, 2, 3, 4, 5, 6, 7)
    let one = Lanes(repeating: 1)
    let zero = Lanes(repeating: 0)
    let maxX = Float(inputWidth - 1)
    let maxY = Float(inputHeight - 1)
    let lastColumn = Lanes(repeating: maxX)
    let lastRow = geometry.lastRow
    let constantLanes = supportsConstantLanes
    /// The scalar path of one output pixel.
    func pixel(_ ox: Int, _ rowX: Float, _ rowY: Float, _ rowK: Float, _ d: UnsafeMutablePointer<UInt8>) {
      let fx = Float(ox)
      let k = (c0 * fx + rowK) + 1
      if k == 0 {
        for c in 0..<3 { d[c] = fill }
        return
      }
      let x = ((a0 * fx + rowX) + a2) / k
      let y = ((b0 * fx + rowY) + b2) / k
      if x >= 0 && x <= maxX && y >= 0 && y <= maxY {
        bilinearPixel(src, d, x: x, y: y)
      } else {
        borderBilinear(src, d, x: x, y: y)
      }
    }
    let width = inputWidth
    var d = dst
    for oy in 0..<inputHeight {
      let fy = Float(oy)
      let rowX = a1 * fy
      let rowY = b1 * fy
      let rowK = c1 * fy
      var ox = 0
      while ox + 8 <= width {
        defer {
          ox &+= 8
          d += 24
        }
        let fx = Lanes(repeating: Float(ox)) + laneOffsets
        let k = (c0 * fx + rowK) + one
        let x = ((a0 * fx + rowX) + a2) / k
        let y = ((b0 * fx + rowY) + b2) / k
        let inside = Self.allLanes((x .>= zero) .& (x .<= lastColumn) .& (y .>= zero) .& (y .<= lastRow))
        guard
          inside
            ? blendLanes(raw, x, y, d, geometry)
            : constantLanes && constantBlendLanes(raw, x, y, d, geometry)
        else {
          for lane in 0..<8 { pixel(ox + lane, rowX, rowY, rowK, d + 3 * lane) }
          continue
        }
      }
      while ox < width {
        pixel(ox, rowX, rowY, rowK, d)
        ox &+= 1
        d += 3
      }
    }
  }
}

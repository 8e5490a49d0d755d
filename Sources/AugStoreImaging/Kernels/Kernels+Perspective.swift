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

extension Kernels {
  /// Keras `Rescaling`: every sample becomes `Float(x) · scale + offset` (float32), in the tensor's
  /// HWC order.
  public static func rescale(_ image: Tensor, scale: Float, offset: Float = 0) -> [Float] {
    var table = [Float](repeating: 0, count: 256)
    for v in 0..<256 { table[v] = Float(v) * scale + offset }
    return image.withUnsafeBufferPointer { buffer in
      table.withUnsafeBufferPointer { lut in
        [Float](unsafeUninitializedCapacity: buffer.count) { out, count in
          for i in 0..<buffer.count { out[i] = lut[Int(buffer[i])] }
          count = buffer.count
        }
      }
    }
  }

  /// Keras `Normalization` over the last axis: `(x − mean[c]) / max(√variance[c], 1e-7)` for samples in
  /// HWC order with `channels` per pixel (float32).
  public static func normalize(_ values: [Float], channels: Int, mean: [Float], variance: [Float]) -> [Float]
  {
    precondition(channels > 0 && values.count % channels == 0)
    precondition(mean.count == channels && variance.count == channels, "one mean and variance per channel")
    let denominators = variance.map { max($0.squareRoot(), 1e-7) }
    var out = values
    out.withUnsafeMutableBufferPointer { buffer in
      var i = 0
      while i < buffer.count {
        for c in 0..<channels { buffer[i + c] = (buffer[i + c] - mean[c]) / denominators[c] }
        i += channels
      }
    }
    return out
  }

  /// Keras `Normalization` applied straight to 8-bit samples (a 256-entry table per channel).
  public static func normalize(_ image: Tensor, mean: [Float], variance: [Float]) -> [Float] {
    let channels = image.channels
    precondition(mean.count == channels && variance.count == channels, "one mean and variance per channel")
    var table = [Float](repeating: 0, count: 256 * channels)
    for c in 0..<channels {
      let denominator = max(variance[c].squareRoot(), 1e-7)
      for v in 0..<256 { table[c * 256 + v] = (Float(v) - mean[c]) / denominator }
    }
    return image.withUnsafeBufferPointer { buffer in
      table.withUnsafeBufferPointer { lut in
        [Float](unsafeUninitializedCapacity: buffer.count) { out, count in
          var i = 0
          while i < buffer.count {
            for c in 0..<channels { out[i + c] = lut[c &* 256 &+ Int(buffer[i + c])] }
            i += channels
          }
          count = buffer.count
        }
      }
    }
  }

  /// Reorders HWC samples into CHW (`channels_first`).
  public static func channelsFirst<Element>(
    _ values: [Element], height: Int, width: Int, channels: Int
  )
    -> [Element]
  {
    precondition(values.count == height * width * channels)
    let plane = height * width
    return values.withUnsafeBufferPointer { source in
      [Element](unsafeUninitializedCapacity: values.count) { out, count in
        guard let base = out.baseAddress else { return }
        for p in 0..<plane {
          for c in 0..<channels {
            (base + c * plane + p).initialize(to: source[p * channels + c])
          }
        }
        count = values.count
      }
    }
  }
}

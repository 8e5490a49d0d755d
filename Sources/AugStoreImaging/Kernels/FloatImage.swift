/// An image of float32 samples on the 0–255 scale, channels last: the intermediate a composite layer
/// (RandAugment, AugMix) passes between its operations.
///
/// Keras chains a composite layer's operations on float32 tensors and rounds nothing in between; a
/// ``Tensor`` between operations would round after each one and drift from Keras by more than one
/// level over a few steps. Samples may leave `0...255` only where an operation lets them (none of
/// RandAugment's does: each clips); ``tensor()`` rounds and clamps once, at the end.
public struct FloatImage: Sendable, Equatable {
  /// Rows.
  public let height: Int
  /// Columns.
  public let width: Int
  /// Samples per pixel (1–4); the last of 2 or 4 is alpha.
  public let channels: Int
  /// `height · width · channels` samples, row-major, channels interleaved.
  public var samples: [Float]

  /// Creates an image from its samples; `samples.count` must be `height · width · channels`.
  public init(height: Int, width: Int, channels: Int, samples: [Float]) {
    precondition(samples.count == height * width * channels, "sample count does not match the shape")
    self.height = height
    self.width = width
    self.channels = channels
    self.samples = samples
  }

  /// The samples of `tensor`, exactly.
  public init(_ tensor: Tensor) {
    self.init(
      height: tensor.height, width: tensor.width, channels: tensor.channels,
      samples: tensor.pixels.map(Float.init))
  }

  /// The image rounded half away from zero and clamped to `0...255` (NaN becomes 0).
  public func tensor() -> Tensor {
    Tensor(height: height, width: width, channels: channels, pixels: samples.map(Kernels.toUInt8))
  }

  /// The same image with `transform` applied to every sample of the colour channels (alpha kept).
  func mapColour(_ transform: (Float) -> Float) -> FloatImage {
    let colour = Kernels.colourChannels(channels)
    var result = self
    result.samples.withUnsafeMutableBufferPointer { values in
      for i in values.indices where i % channels < colour {
        values[i] = transform(values[i])
      }
    }
    return result
  }
}

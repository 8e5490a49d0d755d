import AugStoreImaging

/// The tensor a pipeline produced for one sample in one epoch: what the model saw.
public struct AugmentedTensor: Sendable, Equatable {
  /// The element values.
  public enum Values: Sendable, Equatable {
    /// `uint8` samples.
    case uint8([UInt8])
    /// `float32` samples.
    case float32([Float])
  }

  /// The array's shape: `[height, width, channels]` or, for `channels_first`, `[channels, height, width]`.
  public var shape: [Int]
  /// The samples, in row-major order of `shape`.
  public var values: Values

  /// Describes a tensor.
  public init(shape: [Int], values: Values) {
    self.shape = shape
    self.values = values
  }

  /// The tensor as the bytes of a NumPy `.npy` file: the form augstore caches, digests and replays.
  public func npy() -> [UInt8] {
    switch values {
    case .uint8(let samples): NPY.encode(shape: shape, uint8: samples)
    case .float32(let samples): NPY.encode(shape: shape, float32: samples)
    }
  }
}

/// Why recorded parameters cannot be applied to an image.
public enum AugmentationError: Error, Equatable, Sendable {
  /// The record holds a different number of parameter sets than the pipeline has transforms.
  case recordMismatch(transforms: Int, params: Int)
  /// The parameters recorded for transform `index` are of another kind than the transform.
  case parameterMismatch(index: Int, transform: String)
  /// A crop does not fit the image it is applied to.
  case cropOutOfBounds(index: Int, transform: String)
  /// Per-channel values (`Normalization` mean or variance) that are neither one value nor one per
  /// channel of the image they are applied to.
  case channelMismatch(index: Int, transform: String, values: Int, channels: Int)
  /// A record mixes in a partner (MixUp, CutMix) but no partner image was given.
  case missingPartner(index: Int, transform: String)
  /// The partner's tensor before mixing has another shape than the sample's.
  case partnerShapeMismatch(index: Int, transform: String, own: [Int], partner: [Int])
}

extension AugmentationError: CustomStringConvertible {
  /// A one-line description naming the transform.
  public var description: String {
    switch self {
    case .recordMismatch(let transforms, let params):
      "the record holds \(params) parameter sets for a pipeline of \(transforms) transforms"
    case .parameterMismatch(let index, let transform):
      "transforms[\(index)] (\(transform)): recorded parameters are of another transform"
    case .cropOutOfBounds(let index, let transform):
      "transforms[\(index)] (\(transform)): the crop does not fit the image"
    case .channelMismatch(let index, let transform, let values, let channels):
      "transforms[\(index)] (\(transform)): \(values) per-channel values for an image with \(channels) channels"
    case .missingPartner(let index, let transform):
      "transforms[\(index)] (\(transform)): the record mixes in a partner sample, whose image is needed"
    case .partnerShapeMismatch(let index, let transform, let own, let partner):
      "transforms[\(index)] (\(transform)): cannot mix a \(own) tensor with its partner's \(partner)"
    }
  }
}

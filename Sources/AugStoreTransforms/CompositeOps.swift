import AugStoreImaging

/// One operation a composite layer (RandAugment) chose for a sample: the index of the sub-layer in the
/// composite's operation list (``TransformSpec/randAugmentOperationNames``) and the parameters that
/// sub-layer drew, of the same kind its own layer records.
public struct CompositeOp: Hashable, Sendable {
  /// Index of the sub-layer in the composite's operation list.
  public var index: Int
  /// The sub-layer's own parameters (`.none` for AutoContrast and Equalization).
  public var params: TransformParams

  /// Creates an operation record.
  public init(index: Int, params: TransformParams) {
    self.index = index
    self.params = params
  }
}

extension TransformSpec {
  /// RandAugment's operations in Keras 3.15.1's `_AUGMENT_LAYERS` order (the indices it draws).
  public static let randAugmentOperationNames = [
    "random_shear", "random_translation", "random_rotation", "random_brightness",
    "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
    "solarization", "auto_contrast", "equalization",
  ]

  /// The sub-layers Keras' `RandAugment.__init__` builds, in ``randAugmentOperationNames`` order, with
  /// the arguments it passes: `factor` (already the `(lower, upper)` pair of RandAugment's own
  /// `_set_factor`) for every factor, `interpolation` and the geometric layers' default
  /// `fill_mode="reflect"`, `fill_value=0`; RandomPosterization gets `max(1, int(8 * factor[1]))`
  /// (resolved to `[1, f]` bits as that layer resolves a number); Equalization its default 256 bins.
  static func randAugmentLayers(
    valueRange: ValueRange, factor: FactorRange, interpolation: Interpolation
  ) -> [TransformSpec] {
    let bits = Double(max(1, Int(8 * factor.upper)))
    return [
      .randomShear(
        xFactor: factor, yFactor: factor, fillMode: .reflect, interpolation: interpolation, fillValue: 0),
      .randomTranslation(
        heightFactor: factor, widthFactor: factor, fillMode: .reflect, interpolation: interpolation,
        fillValue: 0),
      .randomRotation(factor: factor, fillMode: .reflect, interpolation: interpolation, fillValue: 0),
      .randomBrightness(factor: factor, valueRange: valueRange),
      .randomColorDegeneration(factor: factor, valueRange: valueRange),
      .randomContrast(factor: factor, valueRange: valueRange),
      .randomSharpness(factor: factor, valueRange: valueRange),
      .randomPosterization(factor: FactorRange(lower: 1, upper: bits), valueRange: valueRange),
      .solarization(additionFactor: factor, thresholdFactor: factor, valueRange: valueRange),
      .autoContrast(valueRange: valueRange),
      .equalization(valueRange: valueRange, bins: 256),
    ]
  }

  /// The sub-layers of a composite transform (empty for other transforms).
  public var compositeLayers: [TransformSpec] {
    switch self {
    case .randAugment(let valueRange, _, let factor, let interpolation):
      Self.randAugmentLayers(valueRange: valueRange, factor: factor, interpolation: interpolation)
    default: []
    }
  }

  /// The address sub-layer `layer` of the composite at `address` draws from: the composite's own slot
  /// `.transform(i)` becomes `.transform(i + (layer + 1) << 32)`, a counter word no pipeline transform
  /// uses.
  static func compositeAddress(_ address: DrawAddress, layer: Int) -> DrawAddress {
    var sub = address
    if case .transform(let index) = address.slot {
      sub.slot = .transform(index + (layer + 1) << 32)
    }
    return sub
  }

  /// RandAugment's draws (see ``drawParams(address:inputSize:scheme:)``): `num_ops` indices, each an
  /// integer below 11 (draws 0, 1, … of the transform's stream), then each chosen sub-layer's own
  /// parameters from its sub-address (``compositeAddress(_:layer:)``) with that layer's documented draw
  /// order. A sub-layer chosen twice applies the same parameters twice, as in Keras, where every
  /// sub-layer draws once per call.
  ///
  /// Keras draws the indices once per batch (every image of a batch gets the same operations, with its
  /// own parameters); augstore draws them per sample, which keeps each image's distribution and makes
  /// the record independent of batch composition.
  func drawRandAugment(
    address: DrawAddress, inputSize: ImageSize, numOps: Int, layers: [TransformSpec], scheme: DrawScheme
  ) -> TransformParams {
    var stream = DrawStream(address: address)
    let indices = (0..<numOps).map { _ in stream.nextInt(below: layers.count) }
    var drawn: [Int: TransformParams] = [:]
    let ops = indices.map { index in
      if let params = drawn[index] { return CompositeOp(index: index, params: params) }
      let params = layers[index].drawParams(
        address: Self.compositeAddress(address, layer: index), inputSize: inputSize, scheme: scheme)
      drawn[index] = params
      return CompositeOp(index: index, params: params)
    }
    return .randAugment(ops: ops)
  }
}

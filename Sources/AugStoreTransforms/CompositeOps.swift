import AugStoreImaging
import Foundation

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

/// What `AugMix` drew for one sample: the chains' mixing weights, the weight of the input in the final
/// blend, and each chain's operations (Keras' `chain_mixing_weights`, `weight_sample` and
/// `chain_transforms`).
public struct AugMixParams: Hashable, Sendable {
  /// One weight per chain, summing to 1 (a Dirichlet(`alpha`) draw).
  public var chainWeights: [Float]
  /// The input's weight in `w · input + (1 − w) · Σ chainWeights[i] · chain[i]` (a Beta draw).
  public var inputWeight: Float
  /// Each chain's operations in the order they apply; indices are into
  /// ``TransformSpec/augMixOperationNames``.
  public var chains: [[CompositeOp]]

  /// Creates the parameters.
  public init(chainWeights: [Float], inputWeight: Float, chains: [[CompositeOp]]) {
    self.chainWeights = chainWeights
    self.inputWeight = inputWeight
    self.chains = chains
  }
}

extension TransformSpec {
  /// RandAugment's operations in Keras 3.15.1's `_AUGMENT_LAYERS` order (the indices it draws).
  public static let randAugmentOperationNames = [
    "random_shear", "random_translation", "random_rotation", "random_brightness",
    "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
    "solarization", "auto_contrast", "equalization",
  ]

  /// AugMix's operations in Keras 3.15.1's `AUGMENT_LAYERS_ALL` order (the indices records hold); without
  /// `all_ops` it chooses among the first seven only (`AUGMENT_LAYERS`).
  public static let augMixOperationNames = [
    "random_shear", "random_translation", "random_rotation", "random_posterization", "solarization",
    "auto_contrast", "equalization", "random_brightness", "random_color_degeneration", "random_contrast",
    "random_sharpness",
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

  /// The sub-layers Keras' `AugMix.__init__` builds, in ``augMixOperationNames`` order: the same
  /// layers, built the same way, as RandAugment's (`fill_mode` is the geometric layers' default
  /// "reflect" in both), the first seven only without `all_ops`.
  static func augMixLayers(
    valueRange: ValueRange, factor: FactorRange, allOps: Bool, interpolation: Interpolation
  ) -> [TransformSpec] {
    let layers = randAugmentLayers(valueRange: valueRange, factor: factor, interpolation: interpolation)
    let byName = Dictionary(uniqueKeysWithValues: zip(randAugmentOperationNames, layers))
    return augMixOperationNames.prefix(allOps ? 11 : 7).compactMap { byName[$0] }
  }

  /// The sub-layers of a composite transform (empty for other transforms).
  public var compositeLayers: [TransformSpec] {
    switch self {
    case .randAugment(let valueRange, _, let factor, let interpolation):
      Self.randAugmentLayers(valueRange: valueRange, factor: factor, interpolation: interpolation)
    case .augMix(let valueRange, _, _, let factor, _, let allOps, let interpolation):
      Self.augMixLayers(valueRange: valueRange, factor: factor, allOps: allOps, interpolation: interpolation)
    default: []
    }
  }

  /// The address sub-layer `layer` of the composite at `address` draws from: the composite's own slot
  /// `.transform(i)` becomes `.transform(i + (layer + 1) << 32)`, a counter word no pipeline transform
  /// uses.
  static func compositeAddress(_ address: DrawAddress, layer: Int) -> DrawAddress {
    compositeAddress(address, stream: layer + 1)
  }

  /// The address of sub-stream `stream` (≥ 1) of the composite at `address`: slot `.transform(i)`
  /// becomes `.transform(i + stream << 32)`.
  static func compositeAddress(_ address: DrawAddress, stream: Int) -> DrawAddress {
    var sub = address
    if case .transform(let index) = address.slot {
      sub.slot = .transform(index + stream << 32)
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

extension TransformSpec {
  /// AugMix's draws (see ``drawParams(address:inputSize:scheme:)``), in Keras 3.15.1's order from the
  /// transform's own stream: `num_chains` Gamma(`alpha`) draws normalised into the chain weights (its
  /// Dirichlet), one Beta(`alpha`, `alpha`) draw for the input's weight (both as MixUp draws them, see
  /// ``PipelineSpec/drawMixes(seed:epoch:batch:sizes:)``), then for each chain and each of its
  /// `chain_depth` steps an integer below `layers.count + 1`, the last value meaning "no operation"
  /// (Keras' `py_random.choice(layers + [None])`). Each chosen step draws its sub-layer's parameters
  /// from its own sub-address, stream `1 + chain · chain_depth + step` (see
  /// ``compositeAddress(_:stream:)``): every step draws afresh, as Keras calls the sub-layer's
  /// `get_random_transformation` per step.
  ///
  /// Keras draws the weights and the operations once per batch (each image draws its own operation
  /// parameters); augstore draws everything per sample, which keeps each image's distribution and makes
  /// the record independent of batch composition.
  func drawAugMix(
    address: DrawAddress, inputSize: ImageSize, numChains: Int, chainDepth: Int, alpha: Double,
    layers: [TransformSpec], scheme: DrawScheme
  ) -> TransformParams {
    var stream = DrawStream(address: address)
    let logs = (0..<numChains).map { _ in PipelineSpec.logGamma(alpha, stream: &stream) }
    // Normalised in log space: exp(log g − max) keeps the largest term at 1, so nothing overflows.
    let largest = logs.max() ?? 0
    let terms = logs.map { exp($0 - largest) }
    let total = terms.reduce(0, +)
    let weights = terms.map { Float($0 / total) }
    let inputWeight = Float(PipelineSpec.beta(alpha, stream: &stream))
    var chains: [[CompositeOp]] = []
    for chain in 0..<numChains {
      var ops: [CompositeOp] = []
      for step in 0..<chainDepth {
        let index = stream.nextInt(below: layers.count + 1)
        guard index < layers.count else { continue }
        let params = layers[index].drawParams(
          address: Self.compositeAddress(address, stream: 1 + chain * chainDepth + step),
          inputSize: inputSize, scheme: scheme)
        ops.append(CompositeOp(index: index, params: params))
      }
      chains.append(ops)
    }
    return .augMix(AugMixParams(chainWeights: weights, inputWeight: inputWeight, chains: chains))
  }
}

import AugStoreImaging

/// A closed range `[lower, upper]` resolved from a Keras `factor`-style argument (a number or a pair).
///
/// How a single number maps to a range depends on the transform (see ``TransformSpec``); pairs are
/// sorted, as Keras does. The canonical JSON always writes the resolved pair.
public struct FactorRange: Hashable, Sendable {
  /// The smaller end of the range.
  public var lower: Double
  /// The larger end of the range.
  public var upper: Double

  /// Creates a range; callers keep `lower <= upper`.
  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }
}

/// The `value_range` of a color transform: the pixel values the incoming images span.
public struct ValueRange: Hashable, Sendable {
  /// The smallest pixel value (0 for uint8 images).
  public var lower: Double
  /// The largest pixel value (255 for uint8 images).
  public var upper: Double

  /// `upper − lower`, at least the smallest positive double: the factor between `value_range` units
  /// and the 0–255 scale of the samples (a degenerate range scales, never divides by zero).
  public var span: Double { max(upper - lower, .leastNonzeroMagnitude) }

  /// Creates a value range; callers keep `lower < upper`.
  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }

  /// The Keras default, `[0, 255]`.
  public static let uint8 = ValueRange(lower: 0, upper: 255)
}

/// `RandomFlip`'s `mode`: which axes a coin flip mirrors.
public enum FlipMode: String, Hashable, Sendable, CaseIterable {
  /// One coin per image flips both axes together (Keras' behaviour).
  case horizontalAndVertical = "horizontal_and_vertical"
  /// Mirror left-right.
  case horizontal
  /// Mirror top-bottom.
  case vertical
}

// `fill_mode`, `interpolation` and `Resizing`'s `interpolation` are the kernels' own `FillMode`,
// `Interpolation` and `ResizeMethod` (AugStoreImaging), so a spec names exactly what a kernel does.

/// `RandomErasing`'s `fill_value`: what the erased box is filled with.
public enum ErasingFill: Hashable, Sendable {
  /// `null` (the default): Gaussian noise scaled by `value_range` upper bound, clipped to the range.
  /// The noise is generated from the record's `noise_seed`, so replay is exact.
  case noise
  /// One constant for every channel, or three per-channel constants.
  case constant([Double])
}

/// Output element type of the materialized tensor.
public enum OutputDType: String, Hashable, Sendable, CaseIterable {
  /// 8-bit unsigned integers (no `Rescaling`/`Normalization` in the pipeline).
  case uint8
  /// 32-bit floats (required when the pipeline holds `Rescaling` or `Normalization`).
  case float32
}

/// Output memory layout of the materialized tensor.
public enum OutputLayout: String, Hashable, Sendable, CaseIterable {
  /// Height, width, channels.
  case channelsLast = "channels_last"
  /// Channels, height, width.
  case channelsFirst = "channels_first"
}

/// The `output` object of a pipeline: element type and layout of materialized tensors.
public struct OutputSpec: Hashable, Sendable {
  /// Element type; defaults to `float32` when the pipeline rescales or normalizes, else `uint8`.
  public var dtype: OutputDType
  /// Memory layout; defaults to `channels_last`.
  public var layout: OutputLayout

  /// Creates an output spec.
  public init(dtype: OutputDType = .uint8, layout: OutputLayout = .channelsLast) {
    self.dtype = dtype
    self.layout = layout
  }
}

/// An image's height and width in pixels.
public struct ImageSize: Hashable, Sendable, CustomStringConvertible {
  /// Rows.
  public var height: Int
  /// Columns.
  public var width: Int

  /// Creates a size.
  public init(height: Int, width: Int) {
    self.height = height
    self.width = width
  }

  /// `HxW`.
  public var description: String { "\(height)x\(width)" }
}

/// One transform of a pipeline, with typed arguments named and defaulted as in Keras 3's preprocessing
/// layers.
///
/// Single-number factors resolve to ranges as Keras 3.15.1's code does (its `_set_factor` with the
/// layer's `_FACTOR_BOUNDS`), which is not always what its documentation says:
/// - RandomRotation, RandomZoom, RandomTranslation, RandomBrightness, RandomSaturation: `f` means
///   `[-|f|, |f|]`; every value must lie in [-1, 1]. (RandomSaturation's documentation promises factors
///   in [0, 1]; Keras draws from `[-f, f]`, and a negative draw removes all saturation.)
/// - RandomContrast, RandomHue, RandomErasing (`factor`, `scale`): `f` means `[0, f]`; values in [0, 1].
///   (RandomContrast's documentation promises a contrast factor in `[1 - f, 1 + f]`; Keras draws from
///   `[1, 1 + f]`. A pair `[a, b]` draws from `[1 - a, 1 + b]`.)
public enum TransformSpec: Hashable, Sendable {
  /// `RandomFlip(mode="horizontal_and_vertical")`.
  case randomFlip(mode: FlipMode)
  /// `RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", fill_value=0.0)`;
  /// `factor` is a fraction of a full turn.
  case randomRotation(
    factor: FactorRange, fillMode: FillMode, interpolation: Interpolation, fillValue: Double)
  /// `RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
  /// fill_value=0.0)`; a nil `widthFactor` zooms both axes by the height zoom.
  case randomZoom(
    heightFactor: FactorRange, widthFactor: FactorRange?, fillMode: FillMode, interpolation: Interpolation,
    fillValue: Double)
  /// `RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
  /// fill_value=0.0)`; factors are fractions of the image size.
  case randomTranslation(
    heightFactor: FactorRange, widthFactor: FactorRange, fillMode: FillMode, interpolation: Interpolation,
    fillValue: Double)
  /// `RandomShear(x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
  /// fill_value=0.0)`; a number `f` in [0, 1] means `[-f, f]` (Keras' code; its docstring says `(0, f)`),
  /// a pair lies in [-1, 1].
  case randomShear(
    xFactor: FactorRange, yFactor: FactorRange, fillMode: FillMode, interpolation: Interpolation,
    fillValue: Double)
  /// `RandomGaussianBlur(factor=1.0, kernel_size=3, sigma=1.0, value_range=[0, 255])`; `factor` is the
  /// probability range of blurring, `sigma` the range both standard deviations are drawn from (a number
  /// `s` means `[0, s]`), `kernel_size` odd (a number or a `[height, width]` pair).
  case randomGaussianBlur(
    factor: FactorRange, kernelHeight: Int, kernelWidth: Int, sigma: FactorRange, valueRange: ValueRange)
  /// `RandomPerspective(factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0)`; `factor` is
  /// the probability range of warping, `scale` in [0, 1] the corner shift; outside pixels take
  /// `fill_value`.
  case randomPerspective(factor: FactorRange, scale: Double, interpolation: Interpolation, fillValue: Double)
  /// `RandomElasticTransform(factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
  /// fill_value=0.0, value_range=[0, 255])`; `factor` is the probability range of distorting, `scale` the
  /// range of the distortion factor (a number `s` means `[0, s]`); `fill_mode` follows Keras' own
  /// `map_coordinates` (see ``MapFillMode``).
  case randomElasticTransform(
    factor: FactorRange, scale: FactorRange, interpolation: Interpolation, fillMode: MapFillMode,
    fillValue: Double, valueRange: ValueRange)
  /// `RandomCrop(height, width)`.
  case randomCrop(height: Int, width: Int)
  /// `CenterCrop(height, width)`.
  case centerCrop(height: Int, width: Int)
  /// `Resizing(height, width, interpolation="bilinear")`.
  case resizing(height: Int, width: Int, interpolation: ResizeMethod)
  /// `RandomBrightness(factor, value_range=[0, 255])`.
  case randomBrightness(factor: FactorRange, valueRange: ValueRange)
  /// `RandomContrast(factor, value_range=[0, 255])`; contrast factor drawn in `[1 - lower, 1 + upper]`.
  case randomContrast(factor: FactorRange, valueRange: ValueRange)
  /// `RandomSaturation(factor, value_range=[0, 255])`.
  case randomSaturation(factor: FactorRange, valueRange: ValueRange)
  /// `RandomHue(factor, value_range=[0, 255])` (Keras has no default `value_range`; ours is uint8's).
  case randomHue(factor: FactorRange, valueRange: ValueRange)
  /// `RandomGrayscale(factor=0.5)`: the probability of converting an image.
  case randomGrayscale(factor: Double)
  /// `RandomErasing(factor=1.0, scale=[0.02, 0.33], fill_value=None, value_range=[0, 255])`.
  case randomErasing(factor: FactorRange, scale: FactorRange, fillValue: ErasingFill, valueRange: ValueRange)
  /// `RandomInvert(factor=1.0, value_range=(0, 255))`: inverts the image with a probability drawn from
  /// `factor` (`f` means `[0, f]`; values in [0, 1]).
  case randomInvert(factor: FactorRange, valueRange: ValueRange)
  /// `Solarization(addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255))`: adds a drawn value,
  /// then inverts every sample at or above a drawn threshold (`f` means `[0, f]`; values in [0, 1]).
  case solarization(additionFactor: FactorRange, thresholdFactor: FactorRange, valueRange: ValueRange)
  /// `RandomPosterization(factor, value_range=(0, 255))`: keeps a drawn number of bits per sample;
  /// `factor` holds integers in [1, 8] (`f` means `[1, f]`, as Keras resolves it).
  case randomPosterization(factor: FactorRange, valueRange: ValueRange)
  /// `RandomColorDegeneration(factor, value_range=(0, 255))`: blends towards the grey image by a drawn
  /// factor (`f` means `[-|f|, |f|]`, as Keras resolves it; values in [-1, 1]).
  case randomColorDegeneration(factor: FactorRange, valueRange: ValueRange)
  /// `AutoContrast(value_range=(0, 255))`: stretches each channel to the full range (no random draws).
  case autoContrast(valueRange: ValueRange)
  /// `Equalization(value_range=(0, 255), bins=256)`: histogram equalization per channel (no random
  /// draws).
  case equalization(valueRange: ValueRange, bins: Int)
  /// `ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 255), clip_limit=4.0,
  /// tile_grid_size=(8, 8))`: histogram equalization per tile of a `tile_grid_size` grid with clipped
  /// histograms, blended bilinearly between tiles, per channel (no random draws; `clip_limit` ≤ 0 turns
  /// clipping off).
  case clahe(valueRange: ValueRange, clipLimit: Double, tileGridHeight: Int, tileGridWidth: Int)
  /// `RandomSharpness(factor, value_range=(0, 255))`: blends with a 3×3 smoothed image (`f` means
  /// `[0, f]`; values in [0, 1]; 0.5 leaves the image as it is).
  case randomSharpness(factor: FactorRange, valueRange: ValueRange)
  /// `RandomColorJitter(value_range=(0, 255), brightness_factor=None, contrast_factor=None,
  /// saturation_factor=None, hue_factor=None)`: RandomBrightness, RandomContrast, RandomSaturation and
  /// RandomHue in that order, each only when its factor is given, resolved as those layers resolve
  /// them in Keras 3.15.1: brightness and saturation `f` mean `[-|f|, |f|]` (values in [-1, 1]),
  /// contrast and hue `f` mean `[0, f]` (values in [0, 1]).
  case randomColorJitter(
    valueRange: ValueRange, brightnessFactor: FactorRange?, contrastFactor: FactorRange?,
    saturationFactor: FactorRange?, hueFactor: FactorRange?)
  /// `RandAugment(value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear")`: applies
  /// `num_ops` operations chosen at random among eleven sub-layers (RandomShear, RandomTranslation,
  /// RandomRotation, RandomBrightness, RandomColorDegeneration, RandomContrast, RandomSharpness,
  /// RandomPosterization, Solarization, AutoContrast, Equalization), each built with `factor` as Keras
  /// builds them. `f` means `[0, f]`; values in [0, 1].
  case randAugment(valueRange: ValueRange, numOps: Int, factor: FactorRange, interpolation: Interpolation)
  /// `AugMix(value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
  /// interpolation="bilinear")`: `num_chains` chains, each of up to `chain_depth` operations chosen at
  /// random among seven sub-layers (eleven with `all_ops`), mixed with Dirichlet(`alpha`) weights and
  /// blended with the input by a Beta(`alpha`, `alpha`) weight. `f` means `[0, f]`; values in [0, 1].
  case augMix(
    valueRange: ValueRange, numChains: Int, chainDepth: Int, factor: FactorRange, alpha: Double, allOps: Bool,
    interpolation: Interpolation)
  /// `Rescaling(scale, offset=0.0)`: `x * scale + offset`; makes the output float32.
  case rescaling(scale: Double, offset: Double)
  /// `Normalization(mean, variance)`: `(x - mean) / sqrt(variance)` per channel (one value or one per
  /// channel); makes the output float32.
  case normalization(mean: [Double], variance: [Double])
  /// `MixUp(alpha=0.2)`: a batch-level layer. Each image becomes `w·x + (1 − w)·p`, `p` a partner drawn
  /// from its batch (possibly itself) and `w ~ Beta(alpha, alpha)`; labels mix with the same weight.
  /// Makes the output float32.
  case mixUp(alpha: Double)
  /// `CutMix(factor=1.0)`: a batch-level layer. A box of each image is replaced by the same box of a
  /// partner drawn from its batch; labels mix by the box's share of the image. `factor` is the range of
  /// the Beta distribution's parameter (`[0, f]` for a number).
  case cutMix(factor: FactorRange)

  /// The Keras layer name (the JSON `type`).
  public var typeName: String {
    switch self {
    case .randomFlip: "RandomFlip"
    case .randomRotation: "RandomRotation"
    case .randomZoom: "RandomZoom"
    case .randomTranslation: "RandomTranslation"
    case .randomShear: "RandomShear"
    case .randomGaussianBlur: "RandomGaussianBlur"
    case .randomPerspective: "RandomPerspective"
    case .randomElasticTransform: "RandomElasticTransform"
    case .randomCrop: "RandomCrop"
    case .centerCrop: "CenterCrop"
    case .resizing: "Resizing"
    case .randomBrightness: "RandomBrightness"
    case .randomContrast: "RandomContrast"
    case .randomSaturation: "RandomSaturation"
    case .randomHue: "RandomHue"
    case .randomGrayscale: "RandomGrayscale"
    case .randomErasing: "RandomErasing"
    case .randomInvert: "RandomInvert"
    case .solarization: "Solarization"
    case .randomPosterization: "RandomPosterization"
    case .randomColorDegeneration: "RandomColorDegeneration"
    case .autoContrast: "AutoContrast"
    case .equalization: "Equalization"
    case .clahe: "ContrastLimitedAdaptiveHistogramEqualization"
    case .randomSharpness: "RandomSharpness"
    case .randomColorJitter: "RandomColorJitter"
    case .randAugment: "RandAugment"
    case .augMix: "AugMix"
    case .rescaling: "Rescaling"
    case .normalization: "Normalization"
    case .mixUp: "MixUp"
    case .cutMix: "CutMix"
    }
  }

  /// Whether the transform mixes samples of a batch (`MixUp`, `CutMix`): a run of such a pipeline needs
  /// a batch size, and its records name each sample's partner.
  public var isBatchLevel: Bool {
    switch self {
    case .mixUp, .cutMix: true
    default: false
    }
  }

  /// Whether the transform produces float values (`Rescaling`, `Normalization`).
  public var producesFloat: Bool {
    switch self {
    case .rescaling, .normalization, .mixUp: true
    default: false
    }
  }

  /// The size of this transform's output for an input of `size` (crops and resizes change it).
  public func outputSize(for size: ImageSize) -> ImageSize {
    switch self {
    case .randomCrop(let height, let width), .centerCrop(let height, let width),
      .resizing(let height, let width, _):
      ImageSize(height: height, width: width)
    default: size
    }
  }
}

/// A validated augmentation pipeline: the parsed form of the pipeline JSON of DESIGN.md.
///
/// Parse with ``init(json:)``; ``canonicalJSON`` writes every argument with its default filled in, keys
/// sorted, numbers in a fixed form and no whitespace, and ``fingerprint`` is the lowercase hex SHA-256 of
/// those bytes, so key order, whitespace and spelled-out defaults in the input do not change it.
public struct PipelineSpec: Hashable, Sendable {
  /// The transforms, applied in order.
  public let transforms: [TransformSpec]
  /// The probability that a sample's epoch record is "original" (no transform applied), in [0, 1].
  public let originalProbability: Double
  /// Element type and layout of materialized tensors.
  public let output: OutputSpec
  /// Whether JPEG originals are decoded with libjpeg's DCT scaling (1/8, 1/4 or 1/2) straight to the
  /// smallest size at least as large as the first transform's `Resizing` target (opt-in: `"jpeg_dct_scaling":
  /// true`, which needs `Resizing` first). It changes pixels, so it is part of the fingerprint; the
  /// canonical JSON names it only when it is on, so other pipelines keep their fingerprints.
  public let jpegDCTScaling: Bool

  init(
    unchecked transforms: [TransformSpec], originalProbability: Double, output: OutputSpec,
    jpegDCTScaling: Bool = false
  ) {
    self.transforms = transforms
    self.originalProbability = originalProbability
    self.output = output
    self.jpegDCTScaling = jpegDCTScaling
  }

  /// The size JPEG originals are decoded towards with DCT scaling: the first transform's `Resizing`
  /// target when ``jpegDCTScaling`` is on, else `nil` (full size).
  public var jpegDecodeTarget: ImageSize? {
    guard jpegDCTScaling, case .resizing(let height, let width, _)? = transforms.first else { return nil }
    return ImageSize(height: height, width: width)
  }

  /// Whether the pipeline's pixels depend on the ``KernelVersion``: it has a step whose Gaussian taps
  /// are normalised by a sum (`RandomGaussianBlur`, `RandomElasticTransform`). Only such pipelines'
  /// cache keys name the version, so runs of other pipelines share their cached tensors across versions.
  public var dependsOnKernelVersion: Bool {
    transforms.contains { transform in
      switch transform {
      case .randomGaussianBlur, .randomElasticTransform: true
      default: false
      }
    }
  }

  /// Builds and validates a pipeline from typed values (the same checks as parsing its JSON).
  ///
  /// - Parameter output: nil picks the default (float32 when the pipeline rescales or normalizes).
  /// - Throws: ``PipelineSpecError`` naming the offending transform and field.
  public init(
    transforms: [TransformSpec], originalProbability: Double = 0, output: OutputSpec? = nil,
    jpegDCTScaling: Bool = false
  ) throws(PipelineSpecError) {
    let candidate = PipelineSpec(
      unchecked: transforms, originalProbability: originalProbability,
      output: output ?? OutputSpec(dtype: transforms.contains { $0.producesFloat } ? .float32 : .uint8),
      jpegDCTScaling: jpegDCTScaling)
    self = try PipelineSpec(json: candidate.canonicalJSON)
  }

  /// The input size of every transform followed by the pipeline's output size, for an image of `input`.
  ///
  /// - Throws: ``PipelineSpecError`` of kind `imageTooSmall` when a crop is larger than the image it
  ///   receives, e.g. `transforms[0] (RandomCrop): height 300 is larger than the image height 224`.
  public func imageSizes(input: ImageSize) throws(PipelineSpecError) -> [ImageSize] {
    var sizes = [input]
    sizes.reserveCapacity(transforms.count + 1)
    var size = input
    for (index, transform) in transforms.enumerated() {
      switch transform {
      case .randomCrop(let height, let width), .centerCrop(let height, let width):
        // Built only on failure: this runs for every record drawn.
        var location: String { "transforms[\(index)] (\(transform.typeName))" }
        if height > size.height {
          throw PipelineSpecError(
            kind: .imageTooSmall, transformIndex: index, field: "height",
            message: "\(location): height \(height) is larger than the image height \(size.height)")
        }
        if width > size.width {
          throw PipelineSpecError(
            kind: .imageTooSmall, transformIndex: index, field: "width",
            message: "\(location): width \(width) is larger than the image width \(size.width)")
        }
      default: break
      }
      size = transform.outputSize(for: size)
      sizes.append(size)
    }
    return sizes
  }

  /// The size of the pipeline's output for an image of `input`.
  /// - Throws: ``PipelineSpecError`` when a crop does not fit (see ``imageSizes(input:)``).
  public func outputSize(input: ImageSize) throws(PipelineSpecError) -> ImageSize {
    try imageSizes(input: input).last ?? input
  }
}

/// The box `RandomErasing` erased: pixel columns `x..<x+width` and rows `y..<y+height`.
public struct ErasingBox: Hashable, Sendable {
  /// First erased column.
  public var x: Int
  /// First erased row.
  public var y: Int
  /// Number of erased columns.
  public var width: Int
  /// Number of erased rows.
  public var height: Int
  /// Seed of the Gaussian fill noise when `fill_value` is null; nil for a constant fill.
  public var noiseSeed: UInt64?

  /// Creates a box.
  public init(x: Int, y: Int, width: Int, height: Int, noiseSeed: UInt64?) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
    self.noiseSeed = noiseSeed
  }
}

/// What `RandomColorJitter` drew for each of its steps; nil for a step whose factor the pipeline leaves
/// out (Keras then skips the step and draws nothing for it).
public struct ColorJitterParams: Hashable, Sendable {
  /// RandomBrightness' `rgb_delta`, in `value_range` units.
  public var rgbDelta: Float?
  /// RandomContrast's `contrast_factor`.
  public var contrastFactor: Float?
  /// RandomSaturation's multiplier (`f / (1 - f + 1e-7)` of the drawn `f`).
  public var saturationFactor: Float?
  /// RandomHue's shift in turns.
  public var hueFactor: Float?

  /// Creates the parameters.
  public init(rgbDelta: Float?, contrastFactor: Float?, saturationFactor: Float?, hueFactor: Float?) {
    self.rgbDelta = rgbDelta
    self.contrastFactor = contrastFactor
    self.saturationFactor = saturationFactor
    self.hueFactor = hueFactor
  }
}

/// The concrete parameters one transform drew for one sample in one epoch.
///
/// Case and field names follow the keys of Keras' transformation dictionaries (`flips`, `angle`,
/// `height_zoom`, ...). Continuous values are stored as `Float` (Keras computes them in float32), so
/// the record in memory equals its encoded form exactly; pixel kernels apply these values and never
/// re-draw.
public enum TransformParams: Hashable, Sendable {
  /// A transform without random parameters (CenterCrop, Resizing, Rescaling, Normalization).
  case none
  /// RandomFlip: whether this image is flipped (both axes together for `horizontal_and_vertical`).
  case flip(flips: Bool)
  /// RandomRotation: counter-clockwise angle in degrees.
  case rotation(angle: Float)
  /// RandomZoom: zoom per axis (1 = unchanged, > 1 zooms out).
  case zoom(heightZoom: Float, widthZoom: Float)
  /// RandomTranslation: shift in pixels along x (columns) and y (rows).
  case translation(translateX: Float, translateY: Float)
  /// RandomShear: Keras' `shear_factor` `[x, y]`, the random sign already applied.
  case shear(shearX: Float, shearY: Float)
  /// RandomGaussianBlur: whether this image is blurred (`should_apply_blur`) and Keras' `blur_factor`
  /// `[x, y]` (the standard deviations along columns and rows, `1e-6` included).
  case gaussianBlur(shouldApplyBlur: Bool, blurFactorX: Float, blurFactorY: Float)
  /// RandomPerspective: whether this image is warped (`apply_perspective`) and Keras' `end_points`,
  /// `[x0, y0, x1, y1, x2, y2, x3, y3]` for the corners top-left, top-right, bottom-left, bottom-right.
  case perspective(applyPerspective: Bool, endPoints: [Float])
  /// RandomElasticTransform: whether this image is distorted (`apply_transform`), Keras'
  /// `distortion_factor`, and the seed of the unit normal noise field augstore draws in place of Keras'
  /// generator (see ``ElasticNoise``).
  case elasticTransform(applyTransform: Bool, distortionFactor: Float, noiseSeed: UInt64)
  /// RandomCrop: the crop's top-left corner in the transform's input.
  case crop(x: Int, y: Int)
  /// RandomBrightness: value added to every channel, in `value_range` units.
  case brightness(rgbDelta: Float)
  /// RandomContrast: `(x - mean) * contrast_factor + mean`.
  case contrast(contrastFactor: Float)
  /// RandomSaturation: multiplier of the HSV saturation channel.
  case saturation(saturationFactor: Float)
  /// RandomHue: shift of the HSV hue channel, in turns (wrapped into [0, 1]).
  case hue(hueFactor: Float)
  /// RandomGrayscale: whether this image is converted.
  case grayscale(grayscale: Bool)
  /// RandomErasing: the erased box, or nil when erasing did not apply.
  case erasing(ErasingBox?)
  /// RandomInvert: whether this image is inverted.
  case invert(applyInversion: Bool)
  /// Solarization: the value added to every sample and the threshold at or above which a sample is
  /// inverted, both on the 0–255 scale.
  case solarization(additions: Float, thresholds: Float)
  /// RandomPosterization: how many low bits of each sample are cleared (8 minus the bits kept).
  case posterization(shiftFactor: Int)
  /// RandomColorDegeneration: the blend factor towards the grey image (0 = unchanged, 1 = grey).
  case colorDegeneration(factor: Float)
  /// RandomSharpness: the drawn factor (0 = smoothed, 0.5 = unchanged, 1 = sharpened).
  case sharpness(factor: Float)
  /// RandomColorJitter: the factor each of its steps drew.
  case colorJitter(ColorJitterParams)
  /// RandAugment: the operations chosen for this sample, in the order they apply, each with its
  /// sub-layer's own parameters.
  case randAugment(ops: [CompositeOp])
  /// AugMix: the chain weights, the input's weight and each chain's operations.
  case augMix(AugMixParams)
  /// MixUp or CutMix: the partner this sample was mixed with in its batch (see ``MixRecord``).
  case mix(MixRecord)
}

/// What a sample got in one epoch: whether it was an original, and each transform's parameters.
///
/// When `original` is true, `params` is empty and no transform applies. Otherwise `params[i]` belongs to
/// `transforms[i]` of the pipeline (`.none` for deterministic transforms).
public struct SampleRecord: Hashable, Sendable {
  /// Whether the sample is an unaugmented original this epoch.
  public var original: Bool
  /// One entry per pipeline transform, or empty for originals.
  public var params: [TransformParams]

  /// Creates a record.
  public init(original: Bool, params: [TransformParams]) {
    self.original = original
    self.params = params
  }
}

extension PipelineSpec {
  /// Draws the record of one sample in one epoch: a pure function of (seed, sample key, epoch) and the
  /// sample's image size, independent of processing order or thread. `scheme` is the run's
  /// ``DrawScheme`` (new runs: ``DrawScheme/current``).
  ///
  /// The original decision is `nextBool(probability: original_probability)` on slot
  /// ``DrawSlot/originalDecision`` (no draw when the probability is 0). Transform `i` draws from slot
  /// ``DrawSlot/transform(_:)`` with the image size it receives (after earlier crops and resizes).
  ///
  /// - Throws: ``PipelineSpecError`` of kind `imageTooSmall` when a crop does not fit the image.
  public func drawRecord(
    seed: UInt64, sampleKey: SampleKey, epoch: Int, imageSize: ImageSize, scheme: DrawScheme = .current
  )
    throws(PipelineSpecError) -> SampleRecord
  {
    let sizes = try imageSizes(input: imageSize)
    if originalProbability > 0 {
      var stream = DrawStream(
        address: DrawAddress(seed: seed, sampleKey: sampleKey, epoch: epoch, slot: .originalDecision))
      if stream.nextBool(probability: originalProbability) {
        return SampleRecord(original: true, params: [])
      }
    }
    var params: [TransformParams] = []
    params.reserveCapacity(transforms.count)
    for (index, transform) in transforms.enumerated() {
      let address = DrawAddress(seed: seed, sampleKey: sampleKey, epoch: epoch, slot: .transform(index))
      params.append(transform.drawParams(address: address, inputSize: sizes[index], scheme: scheme))
    }
    return SampleRecord(original: false, params: params)
  }
}

extension TransformSpec {
  /// Keras' `backend.epsilon()`, used by RandomSaturation's `f / (1 - f + epsilon)`.
  public static let saturationEpsilon = 1e-7

  /// Draws this transform's parameters from the stream at `address` for an input of `inputSize`.
  ///
  /// Draw order within the stream (draw index in brackets), with u = unit double and U(a, b) =
  /// double in [a, b):
  /// - RandomFlip: flips = u < 0.5 [0].
  /// - RandomRotation: angle = U(360 lower, 360 upper) [0].
  /// - RandomZoom: height_zoom = U(1 + lower, 1 + upper) [0]; width_zoom likewise [1], or = height_zoom
  ///   when `width_factor` is null.
  /// - RandomTranslation: translate_y = U(height range) * height [0]; translate_x = U(width range) * width [1].
  /// - RandomShear: invert = u > 0.5 ? -1 : 1 [0]; y = U(y_factor) [1]; x = U(x_factor) [2];
  ///   shear_factor = [x · invert, y · invert] (one sign for both axes, as Keras draws it).
  /// - RandomGaussianBlur: p = U(factor) [0]; should_apply_blur = u < p [1]; blur_factor = [U(sigma) [2],
  ///   U(sigma) [3]] + 1e-6 (float32).
  /// - RandomPerspective: p = U(factor) [0]; apply_perspective = u < p [1]; eight shifts
  ///   d = U(-scale/2, scale/2) [2...9], corner by corner, x then y; end point = start + start · d (float32)
  ///   with start corners (0, 0), (W-1, 0), (0, H-1), (W-1, H-1), so the top-left corner never moves.
  /// - RandomElasticTransform: p = U(factor) [0]; apply_transform = u < p [1] (never when the upper bound
  ///   of `factor` or `scale` is 0, where Keras skips the layer); distortion_factor = U(scale) [2];
  ///   noise_seed = word [3].
  /// - RandomCrop: y = int below (H - height + 1) [0, ...], then x = int below (W - width + 1) (Lemire).
  ///   From ``DrawScheme/keras`` on, only when H > height and W > width, as Keras draws; otherwise no
  ///   draw and the centre crop, y = (H - height) / 2, x = (W - width) / 2 (Keras' `h_start`/`w_start`).
  /// - RandomBrightness: rgb_delta = U(lower, upper) * (value_range upper - lower) [0].
  /// - RandomContrast: contrast_factor = U(1 - lower, 1 + upper) [0].
  /// - RandomSaturation: f = U(lower, upper) [0]; saturation_factor = f / (1 - f + 1e-7).
  /// - RandomHue: sign = u > 0.5 ? -1 : 1 [0]; hue_factor = sign * U(lower, upper) [1] * 0.5.
  /// - RandomGrayscale: grayscale = u < factor [0].
  /// - RandomErasing: rw = sqrt(U(scale)) [0], rh = sqrt(U(scale)) [1]; x0 = u * (W - rw W) [2],
  ///   y0 = u * (H - rh H) [3]; p = U(factor) [4]; applied = u < p [5]; noise_seed = word [6] when
  ///   `fill_value` is null. Box: x = ceil(x0), width = min(ceil(x0 + rw W), W) - x (rows likewise),
  ///   the pixels Keras' mask `x0 <= col < x0 + rw W` selects.
  /// - RandomInvert: p = U(factor) [0]; apply_inversion = u < p [1].
  /// - Solarization: additions = U(addition lower, addition upper · 255) [0]; thresholds =
  ///   U(threshold lower, threshold upper · 255) [1] (Keras scales only the upper bound by 255).
  /// - RandomPosterization: bits = lower + int below (upper − lower) [0] when lower ≠ upper (Keras'
  ///   `randint` excludes the upper bound), else bits = lower without a draw; shift_factor = 8 − bits.
  /// - RandomColorDegeneration, RandomSharpness: factor = U(lower, upper) [0].
  /// - RandomColorJitter: in this order, each only when its factor is given: rgb_delta = U(brightness)
  ///   · (value_range upper − lower); contrast_factor = U(1 − contrast lower, 1 + contrast upper);
  ///   f = U(saturation), saturation_factor = f / (1 − f + 1e-7); hue sign = u > 0.5 ? −1 : 1, then
  ///   hue_factor = sign · U(hue) · 0.5 (draw indices follow on from one another).
  /// - AutoContrast, Equalization: no draws.
  /// - ContrastLimitedAdaptiveHistogramEqualization: no draws.
  /// - RandAugment: `num_ops` indices, each int below 11 [0, ...]; then each chosen sub-layer draws as
  ///   listed here from its own sub-address (see ``drawRandAugment(address:inputSize:numOps:layers:scheme:)``).
  /// - AugMix: chain weights, input weight, then per chain and step an operation or none, each chosen
  ///   operation drawing from its own sub-address (see
  ///   ``drawAugMix(address:inputSize:numChains:chainDepth:alpha:layers:scheme:)``).
  /// - CenterCrop, Resizing, Rescaling, Normalization: no draws.
  public func drawParams(
    address: DrawAddress, inputSize: ImageSize, scheme: DrawScheme = .current
  ) -> TransformParams {
    var stream = DrawStream(address: address)
    switch self {
    case .randomFlip:
      return .flip(flips: stream.nextBool(probability: 0.5))
    case .randomRotation(let factor, _, _, _):
      return .rotation(angle: Float(stream.nextDouble(lower: factor.lower * 360, upper: factor.upper * 360)))
    case .randomZoom(let heightFactor, let widthFactor, _, _, _):
      let height = stream.nextDouble(lower: 1 + heightFactor.lower, upper: 1 + heightFactor.upper)
      var width = height
      if let widthFactor {
        width = stream.nextDouble(lower: 1 + widthFactor.lower, upper: 1 + widthFactor.upper)
      }
      return .zoom(heightZoom: Float(height), widthZoom: Float(width))
    case .randomTranslation(let heightFactor, let widthFactor, _, _, _):
      let y =
        stream.nextDouble(lower: heightFactor.lower, upper: heightFactor.upper) * Double(inputSize.height)
      let x = stream.nextDouble(lower: widthFactor.lower, upper: widthFactor.upper) * Double(inputSize.width)
      return .translation(translateX: Float(x), translateY: Float(y))
    case .randomShear, .randomGaussianBlur, .randomPerspective, .randomElasticTransform:
      return drawGeometryExtra(&stream, inputSize: inputSize)
    case .randomCrop(let height, let width):
      if scheme >= .keras && (inputSize.height <= height || inputSize.width <= width) {
        return .crop(x: max(inputSize.width - width, 0) / 2, y: max(inputSize.height - height, 0) / 2)
      }
      let y = stream.nextInt(below: max(inputSize.height - height + 1, 1))
      let x = stream.nextInt(below: max(inputSize.width - width + 1, 1))
      return .crop(x: x, y: y)
    case .randomBrightness(let factor, let valueRange):
      let delta = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      return .brightness(rgbDelta: Float(delta * (valueRange.upper - valueRange.lower)))
    case .randomContrast(let factor, _):
      return .contrast(
        contrastFactor: Float(stream.nextDouble(lower: 1 - factor.lower, upper: 1 + factor.upper)))
    case .randomSaturation(let factor, _):
      let f = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      return .saturation(saturationFactor: Float(f / (1 - f + Self.saturationEpsilon)))
    case .randomHue(let factor, _):
      let sign: Double = stream.nextUnitDouble() > 0.5 ? -1 : 1
      let f = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      return .hue(hueFactor: Float(sign * f * 0.5))
    case .randomGrayscale(let factor):
      return .grayscale(grayscale: stream.nextBool(probability: factor))
    case .randomErasing(let factor, let scale, let fillValue, _):
      let imageWidth = Double(inputSize.width)
      let imageHeight = Double(inputSize.height)
      let boxWidth = stream.nextDouble(lower: scale.lower, upper: scale.upper).squareRoot() * imageWidth
      let boxHeight = stream.nextDouble(lower: scale.lower, upper: scale.upper).squareRoot() * imageHeight
      let x0 = stream.nextUnitDouble() * (imageWidth - boxWidth)
      let y0 = stream.nextUnitDouble() * (imageHeight - boxHeight)
      let probability = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      let applied = stream.nextBool(probability: probability)
      let noiseSeed: UInt64? = fillValue == .noise ? stream.nextWord() : nil
      guard applied else { return .erasing(nil) }
      let x = Int(x0.rounded(.up))
      let y = Int(y0.rounded(.up))
      let xEnd = min(Int((x0 + boxWidth).rounded(.up)), inputSize.width)
      let yEnd = min(Int((y0 + boxHeight).rounded(.up)), inputSize.height)
      return .erasing(
        ErasingBox(x: x, y: y, width: max(xEnd - x, 0), height: max(yEnd - y, 0), noiseSeed: noiseSeed))
    case .randomInvert(let factor, _):
      let probability = stream.nextDouble(lower: factor.lower, upper: factor.upper)
      return .invert(applyInversion: stream.nextUnitDouble() < probability)
    case .solarization(let addition, let threshold, _):
      let additions = stream.nextDouble(lower: addition.lower, upper: addition.upper * 255)
      let thresholds = stream.nextDouble(lower: threshold.lower, upper: threshold.upper * 255)
      return .solarization(additions: Float(additions), thresholds: Float(thresholds))
    case .randomPosterization(let factor, _):
      let lower = Int(factor.lower)
      let upper = Int(factor.upper)
      let bits = lower == upper ? lower : lower + stream.nextInt(below: upper - lower)
      return .posterization(shiftFactor: 8 - bits)
    case .randomColorDegeneration(let factor, _):
      return .colorDegeneration(factor: Float(stream.nextDouble(lower: factor.lower, upper: factor.upper)))
    case .randomSharpness(let factor, _):
      return .sharpness(factor: Float(stream.nextDouble(lower: factor.lower, upper: factor.upper)))
    case .randomColorJitter(let valueRange, let brightness, let contrast, let saturation, let hue):
      var params = ColorJitterParams(
        rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)
      if let brightness {
        let delta = stream.nextDouble(lower: brightness.lower, upper: brightness.upper)
        params.rgbDelta = Float(delta * (valueRange.upper - valueRange.lower))
      }
      if let contrast {
        params.contrastFactor = Float(stream.nextDouble(lower: 1 - contrast.lower, upper: 1 + contrast.upper))
      }
      if let saturation {
        let f = stream.nextDouble(lower: saturation.lower, upper: saturation.upper)
        params.saturationFactor = Float(f / (1 - f + Self.saturationEpsilon))
      }
      if let hue {
        let sign: Double = stream.nextUnitDouble() > 0.5 ? -1 : 1
        params.hueFactor = Float(sign * stream.nextDouble(lower: hue.lower, upper: hue.upper) * 0.5)
      }
      return .colorJitter(params)
    case .autoContrast, .equalization:
      return .none
    case .clahe:
      // Keras 3.15.1's layer keeps the base class' `get_random_transformation` (None).
      return .none
    case .randAugment(_, let numOps, _, _):
      return drawRandAugment(
        address: address, inputSize: inputSize, numOps: numOps, layers: compositeLayers, scheme: scheme)
    case .augMix(_, let numChains, let chainDepth, _, let alpha, _, _):
      return drawAugMix(
        address: address, inputSize: inputSize, numChains: numChains, chainDepth: chainDepth, alpha: alpha,
        layers: compositeLayers, scheme: scheme)
    case .centerCrop, .resizing, .rescaling, .normalization:
      return .none
    case .mixUp, .cutMix:
      // Drawn per batch (`PipelineSpec.drawMixes`) and filled in by the recorder; `.none` is unmixed.
      return .none
    }
  }
}

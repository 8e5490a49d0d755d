import AugStoreImaging

extension PipelineSpec {
  /// Applies the parameters of `record` to `image`: the tensor the model saw.
  ///
  /// Applying never draws: every random choice comes from the record, so replay reproduces the
  /// tensor exactly. For an **original** record the random transforms leave the image as it is,
  /// except that `RandomCrop` takes the centre crop (Keras' behaviour outside training), and the
  /// deterministic steps (`CenterCrop`, `Resizing`, `Rescaling`, `Normalization`) still apply, so
  /// that every sample of a run has the same shape and type.
  ///
  /// Geometric steps are fused where that changes nothing beyond rounding: flips and crops that
  /// follow a rotation, zoom or translation are folded into that one resampling pass (the crop
  /// then costs nothing: only the kept window is computed). Two resampling steps are never fused,
  /// because resampling twice is what Keras does and what the model saw.
  ///
  /// `kernels` is the run's ``KernelVersion`` (the kernels' arithmetic where a version changed it);
  /// replay passes the version the run recorded.
  public func apply(
    _ record: SampleRecord, to image: Tensor, kernels: KernelVersion = .current
  ) throws(AugmentationError) -> AugmentedTensor {
    if !record.original && record.params.count != transforms.count {
      throw .recordMismatch(transforms: transforms.count, params: record.params.count)
    }
    if let layer = batchLevelIndex, !record.original, case .mix = record.params[layer] {
      throw .missingPartner(index: layer, transform: transforms[layer].typeName)
    }
    var state = ApplyState(image: image, kernels: kernels)
    var floats: [Float]?
    for (index, transform) in transforms.enumerated() {
      let params: TransformParams = record.original ? .none : record.params[index]
      if transform.producesFloat {
        state.flush()
        floats = try applyFloat(transform, index: index, image: state.image, values: floats)
        continue
      }
      try state.apply(transform, params, index: index, original: record.original)
    }
    state.flush()
    let image = state.image
    let (height, width, channels) = (image.height, image.width, image.channels)
    let channelsFirst = output.layout == .channelsFirst
    let shape = channelsFirst ? [channels, height, width] : [height, width, channels]
    if let floats {
      let values =
        channelsFirst
        ? Kernels.channelsFirst(floats, height: height, width: width, channels: channels) : floats
      return AugmentedTensor(shape: shape, values: .float32(values))
    }
    if output.dtype == .float32 {
      let values = image.pixels.map(Float.init)
      return AugmentedTensor(
        shape: shape,
        values: .float32(
          channelsFirst
            ? Kernels.channelsFirst(values, height: height, width: width, channels: channels) : values))
    }
    let pixels =
      channelsFirst
      ? Kernels.channelsFirst(image.pixels, height: height, width: width, channels: channels) : image.pixels
    return AugmentedTensor(shape: shape, values: .uint8(pixels))
  }

  func applyFloat(
    _ transform: TransformSpec, index: Int, image: Tensor, values: [Float]?
  ) throws(AugmentationError) -> [Float]? {
    switch transform {
    case .rescaling(let scale, let offset):
      if let values { return values.map { $0 * Float(scale) + Float(offset) } }
      return Kernels.rescale(image, scale: Float(scale), offset: Float(offset))
    case .normalization(let mean, let variance):
      // One value applies to every channel (Keras broadcasts it); otherwise one per channel.
      func perChannel(_ list: [Double]) throws(AugmentationError) -> [Float] {
        if list.count == 1 { return [Float](repeating: Float(list[0]), count: image.channels) }
        guard list.count == image.channels else {
          throw .channelMismatch(
            index: index, transform: transform.typeName, values: list.count, channels: image.channels)
        }
        return list.map(Float.init)
      }
      let mean = try perChannel(mean)
      let variance = try perChannel(variance)
      if let values {
        return Kernels.normalize(values, channels: image.channels, mean: mean, variance: variance)
      }
      return Kernels.normalize(image, mean: mean, variance: variance)
    default:
      return values
    }
  }
}

/// The image being transformed, plus up to two resampling passes not yet run (see
/// `PipelineSpec.apply`).
///
/// Invariant: the logical image is `image` warped by `earlier` (when set) and then by `pending`
/// (when set), each into its `height` × `width`; `earlier` is only set while `pending` is.
/// `flush()` makes `image` that logical image. Keeping `earlier` back until `pending` is final (its
/// crops folded in) lets `flush()` compute only the part of `earlier`'s result that `pending` reads.
private struct ApplyState {
  struct PendingWarp {
    var transform: AffineTransform
    var height: Int
    var width: Int
    var interpolation: Interpolation
    var fillMode: FillMode
    var fillValue: Float
  }

  var image: Tensor
  /// The run's kernel arithmetic.
  let kernels: KernelVersion
  var pending: PendingWarp?
  /// A resampling pass whose result `pending` resamples.
  var earlier: PendingWarp?

  init(image: Tensor, kernels: KernelVersion) {
    self.image = image
    self.kernels = kernels
  }

  /// The logical image's size.
  var size: (height: Int, width: Int) {
    pending.map { ($0.height, $0.width) } ?? (image.height, image.width)
  }

  mutating func flush() {
    if let first = earlier, let second = pending {
      // Only the pixels the second pass reads: the same bytes as computing them all.
      let region = Kernels.affineReadRegion(
        second.transform, inputHeight: first.height, inputWidth: first.width, outputHeight: second.height,
        outputWidth: second.width, interpolation: second.interpolation, fillMode: second.fillMode)
      image = Kernels.affine(
        image, first.transform, outputHeight: first.height, outputWidth: first.width,
        interpolation: first.interpolation, fillMode: first.fillMode, fillValue: first.fillValue,
        region: region)
      earlier = nil
    }
    guard let warp = pending else { return }
    image = Kernels.affine(
      image, warp.transform, outputHeight: warp.height, outputWidth: warp.width,
      interpolation: warp.interpolation, fillMode: warp.fillMode, fillValue: warp.fillValue)
    pending = nil
  }

  /// Adds a resampling pass over the logical image; `transform` maps its output (of the logical
  /// image's size) to the logical image.
  ///
  /// A pass already pending is kept back (as `earlier`) rather than run; one kept back before it is
  /// run first.
  mutating func warp(
    _ transform: AffineTransform, interpolation: Interpolation, fillMode: FillMode, fillValue: Double
  ) {
    if let previous = pending {
      if earlier != nil {
        // Two passes at most are kept: run them, then keep the new one back.
        flush()
      } else {
        earlier = previous
      }
    }
    let (height, width) = size
    pending = PendingWarp(
      transform: transform, height: height, width: width, interpolation: interpolation,
      fillMode: fillMode, fillValue: Float(fillValue))
  }

  mutating func flip(horizontal: Bool, vertical: Bool) {
    if var warp = pending {
      warp.transform = warp.transform.followed(
        by: .flip(horizontal: horizontal, vertical: vertical, height: warp.height, width: warp.width))
      pending = warp
    } else {
      image = Kernels.flip(image, horizontal: horizontal, vertical: vertical)
    }
  }

  mutating func crop(
    x: Int, y: Int, height: Int, width: Int, index: Int, name: String
  )
    throws(AugmentationError)
  {
    let (currentHeight, currentWidth) = size
    guard x >= 0, y >= 0, height >= 1, width >= 1, x + width <= currentWidth, y + height <= currentHeight
    else {
      throw .cropOutOfBounds(index: index, transform: name)
    }
    if var warp = pending {
      warp.transform = warp.transform.followed(by: .crop(x: x, y: y))
      warp.height = height
      warp.width = width
      pending = warp
    } else {
      image = Kernels.crop(image, x: x, y: y, height: height, width: width)
    }
  }

  mutating func apply(
    _ transform: TransformSpec, _ params: TransformParams, index: Int, original: Bool
  )
    throws(AugmentationError)
  {
    let mismatch = AugmentationError.parameterMismatch(index: index, transform: transform.typeName)
    switch (transform, params) {
    case (.centerCrop(let height, let width), _):
      let (currentHeight, currentWidth) = size
      try crop(
        x: (currentWidth - width) / 2, y: (currentHeight - height) / 2, height: height, width: width,
        index: index,
        name: transform.typeName)
    case (.resizing(let height, let width, let method), _):
      flush()
      image = Kernels.resize(image, height: height, width: width, method: method)
    case (.randomCrop(let height, let width), .none) where original:
      // An original keeps the pipeline's output size: RandomCrop crops the centre, as Keras'
      // RandomCrop does outside training.
      let (currentHeight, currentWidth) = size
      try crop(
        x: (currentWidth - width) / 2, y: (currentHeight - height) / 2, height: height, width: width,
        index: index,
        name: transform.typeName)
    case (_, .none) where original:
      // An original: random transforms leave the image as it is.
      break
    case (.randomFlip(let mode), .flip(let flips)):
      guard flips else { return }
      flip(horizontal: mode != .vertical, vertical: mode != .horizontal)
    case (.randomRotation(_, let fillMode, let interpolation, let fillValue), .rotation(let angle)):
      let (height, width) = size
      warp(
        .rotation(degrees: Double(angle), height: height, width: width),
        interpolation: interpolation,
        fillMode: fillMode, fillValue: fillValue)
    case (
      .randomZoom(_, _, let fillMode, let interpolation, let fillValue), .zoom(let heightZoom, let widthZoom)
    ):
      let (height, width) = size
      warp(
        .zoom(heightZoom: Double(heightZoom), widthZoom: Double(widthZoom), height: height, width: width),
        interpolation: interpolation, fillMode: fillMode, fillValue: fillValue)
    case (
      .randomTranslation(_, _, let fillMode, let interpolation, let fillValue),
      .translation(let translateX, let translateY)
    ):
      warp(
        .translation(x: Double(translateX), y: Double(translateY)), interpolation: interpolation,
        fillMode: fillMode, fillValue: fillValue)
    case (.randomShear(_, _, let fillMode, let interpolation, let fillValue), .shear(let x, let y)):
      warp(
        .shear(x: Double(x), y: Double(y)), interpolation: interpolation, fillMode: fillMode,
        fillValue: fillValue)
    case (.randomGaussianBlur, .gaussianBlur(let applied, _, _)),
      (.randomPerspective, .perspective(let applied, _)),
      (.randomElasticTransform, .elasticTransform(let applied, _, _)):
      guard applied else { return }
      flush()
      guard let result = transform.applyFilterExtra(params, to: image, kernels: kernels) else {
        throw mismatch
      }
      image = result
    case (.randomCrop(let height, let width), .crop(let x, let y)):
      try crop(x: x, y: y, height: height, width: width, index: index, name: transform.typeName)
    case (.randomBrightness(_, let valueRange), .brightness(let rgbDelta)):
      flush()
      let scale = 255 / Float(valueRange.span)
      image = Kernels.adjustBrightness(image, delta: rgbDelta * scale)
    case (.randomContrast, .contrast(let factor)):
      flush()
      image = Kernels.adjustContrast(image, factor: factor)
    case (.randomSaturation, .saturation(let factor)):
      flush()
      image = Kernels.adjustSaturation(image, factor: factor)
    case (.randomHue, .hue(let factor)):
      flush()
      image = Kernels.adjustHue(image, factor: factor)
    case (.randomGrayscale, .grayscale(let grayscale)):
      guard grayscale else { return }
      flush()
      image = Kernels.grayscale(image)
    case (.randomErasing(_, _, let fill, let valueRange), .erasing(let box)):
      guard let box else { return }
      flush()
      image = Self.erase(image, box: box, fill: fill, valueRange: valueRange)
    case (.randomInvert(_, let valueRange), .invert(let applyInversion)):
      guard applyInversion else { return }
      flush()
      // Keras computes `value_range[1] − x`; on the 0–255 scale of `value_range` that is this maximum
      // minus the sample (255 for a range starting at 0).
      let span = valueRange.span
      image = Kernels.invert(image, maximum: Float((valueRange.upper - 2 * valueRange.lower) * 255 / span))
    case (.solarization, .solarization(let additions, let thresholds)):
      flush()
      image = Kernels.solarize(image, addition: additions, threshold: thresholds)
    case (.randomPosterization, .posterization(let shift)):
      guard shift != 0 else { return }
      flush()
      image = Kernels.posterize(image, shift: shift)
    case (.randomColorDegeneration, .colorDegeneration(let factor)):
      flush()
      image = Kernels.degenerateColor(image, factor: factor)
    case (.autoContrast, .none):
      flush()
      image = Kernels.autoContrast(image)
    case (.equalization(_, let bins), .none):
      flush()
      image = Kernels.equalize(image, bins: bins)
    case (.clahe(_, let clipLimit, let gridHeight, let gridWidth), .none):
      // Keras maps `value_range` onto 0–255 and back around the equalization: the samples already are
      // that scale.
      flush()
      image = Kernels.clahe(image, clipLimit: clipLimit, gridHeight: gridHeight, gridWidth: gridWidth)
    case (.randomSharpness(_, let valueRange), .sharpness(let factor)):
      flush()
      // Keras pads with 0 in `value_range` units: that is this value on the 0–255 scale.
      let span = valueRange.span
      image = Kernels.sharpen(image, factor: factor, padding: Float(-valueRange.lower * 255 / span))
    case (.randomColorJitter(let valueRange, _, _, _, _), .colorJitter(let jitter)):
      flush()
      let span = valueRange.span
      image = Kernels.colorJitter(
        image, rgbDelta: jitter.rgbDelta.map { $0 * Float(255 / span) },
        contrastFactor: jitter.contrastFactor, saturationFactor: jitter.saturationFactor,
        saturationClip: Float(valueRange.lower)...Float(valueRange.upper), hueFactor: jitter.hueFactor)
    case (.randAugment, .randAugment(let ops)):
      // The chosen operations chain on float32 samples, as Keras' RandAugment chains its sub-layers;
      // the result is rounded once.
      guard !ops.isEmpty else { return }
      flush()
      let layers = transform.compositeLayers
      var chained = FloatImage(image)
      for op in ops {
        guard layers.indices.contains(op.index) else { throw mismatch }
        chained = try layers[op.index].applyChained(
          op.params, to: chained, index: index, composite: transform.typeName)
      }
      image = chained.tensor()
    case (.augMix, .augMix(let augMix)):
      flush()
      let layers = transform.compositeLayers
      let input = FloatImage(image)
      var mixed = FloatImage(
        height: input.height, width: input.width, channels: input.channels,
        samples: [Float](repeating: 0, count: input.samples.count))
      guard augMix.chainWeights.count == augMix.chains.count else { throw mismatch }
      for (chain, weight) in zip(augMix.chains, augMix.chainWeights) {
        var chained = input
        for op in chain {
          guard layers.indices.contains(op.index) else { throw mismatch }
          chained = try layers[op.index].applyChained(
            op.params, to: chained, index: index, composite: transform.typeName)
        }
        Kernels.accumulate(chained, weight: weight, into: &mixed)
      }
      // Keras clips to `value_range`: 0...255 on the samples' scale (see `RandomInvert` above).
      image = Kernels.blend(input, mixed, inputWeight: augMix.inputWeight, clip: 0...255).tensor()
    default:
      throw mismatch
    }
  }

  /// Fills the erased box with the constant, or with noise drawn from the box's own seed.
  ///
  /// Noise is N(0, 1)-like from the Irwin–Hall sum of 12 Philox uniforms minus 6 (pure arithmetic,
  /// no libm), scaled by the value range's upper bound and clipped to the range.
  static func erase(_ image: Tensor, box: ErasingBox, fill: ErasingFill, valueRange: ValueRange) -> Tensor {
    switch fill {
    case .constant(let values):
      let bytes = values.map { Kernels.toUInt8(Float($0)) }
      let perChannel =
        bytes.count == image.channels ? bytes : [UInt8](repeating: bytes.first ?? 0, count: image.channels)
      return Kernels.erase(image, x: box.x, y: box.y, height: box.height, width: box.width, value: perChannel)
    case .noise:
      var output = image
      var stream = DrawStream(key: SIMD2(box.noiseSeed ?? 0, 0x6175_6773_2D6E_7365), counterBase: .zero)
      let scale = 255 / valueRange.span
      let x1 = min(box.x + box.width, image.width)
      let y1 = min(box.y + box.height, image.height)
      guard box.x < x1, box.y < y1 else { return output }
      output.withUnsafeMutableBufferPointer { pixels in
        for y in box.y..<y1 {
          for x in box.x..<x1 {
            for c in 0..<image.channels {
              var sum = 0.0
              for _ in 0..<12 { sum += stream.nextUnitDouble() }
              let value = (sum - 6) * valueRange.upper
              let clipped = min(max(value, valueRange.lower), valueRange.upper)
              pixels[(y * image.width + x) * image.channels + c] = Kernels.toUInt8(
                Float((clipped - valueRange.lower) * scale))
            }
          }
        }
      }
      return output
    }
  }
}

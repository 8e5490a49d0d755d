import AugStoreImaging

extension PipelineSpec {
  /// Applies `record` to `image` and, when the record holds a MixUp or CutMix draw, mixes in
  /// `partner`: the partner sample's decoded original, to which the record's copy of the partner's own
  /// parameters is applied first. Without a mix draw this is ``apply(_:to:kernels:)``; `kernels` is the
  /// run's ``KernelVersion``.
  ///
  /// The transforms before the batch-level layer run on both images; MixUp then computes
  /// `w · x + (1 − w) · p` in float32 (Keras' `mix_weight * images + (1.0 - mix_weight) * mix_up_images`),
  /// CutMix copies the box from `p`; the float transforms after the layer (Rescaling, Normalization)
  /// run on the result.
  ///
  /// - Throws: ``AugmentationError`` when the record does not fit the pipeline, the partner is
  ///   missing, or the two tensors differ in shape before mixing.
  public func apply(
    _ record: SampleRecord, to image: Tensor, partner: Tensor?, kernels: KernelVersion = .current
  ) throws(AugmentationError) -> AugmentedTensor {
    guard let layer = batchLevelIndex, !record.original, record.params.count == transforms.count,
      case .mix(let mix) = record.params[layer]
    else {
      return try apply(record, to: image, kernels: kernels)
    }
    let name = transforms[layer].typeName
    guard let partner else { throw .missingPartner(index: layer, transform: name) }
    let prefixTransforms = Array(transforms[..<layer])
    let prefix = PipelineSpec(
      unchecked: prefixTransforms, originalProbability: 0,
      output: OutputSpec(dtype: prefixTransforms.contains(where: \.producesFloat) ? .float32 : .uint8))
    let own = try prefix.apply(
      SampleRecord(original: false, params: Array(record.params[..<layer])), to: image, kernels: kernels)
    let other = try prefix.apply(mix.partnerRecord, to: partner, kernels: kernels)
    guard own.shape == other.shape, own.shape.count == 3 else {
      throw .partnerShapeMismatch(index: layer, transform: name, own: own.shape, partner: other.shape)
    }
    let (height, width, channels) = (own.shape[0], own.shape[1], own.shape[2])
    var floats: [Float]?
    var pixels: [UInt8]?
    switch (transforms[layer], own.values, other.values) {
    case (.mixUp, _, _):
      let a = Self.floatValues(own.values)
      let b = Self.floatValues(other.values)
      let weight = mix.weight
      let partnerWeight = 1 - weight
      floats = zip(a, b).map { weight * $0 + partnerWeight * $1 }
    case (.cutMix, .uint8(var mine), .uint8(let theirs)):
      Self.copyBox(mix.box, from: theirs, into: &mine, width: width, height: height, channels: channels)
      pixels = mine
    case (.cutMix, _, _):
      var mine = Self.floatValues(own.values)
      Self.copyBox(
        mix.box, from: Self.floatValues(other.values), into: &mine, width: width, height: height,
        channels: channels)
      floats = mine
    default:
      throw .parameterMismatch(index: layer, transform: name)
    }
    // The float transforms after the layer read the image's shape (and its pixels when no float
    // values exist yet, as after CutMix on uint8 images).
    let shell =
      pixels.map { Tensor(height: height, width: width, channels: channels, pixels: $0) }
      ?? Tensor(height: height, width: width, channels: channels)
    for index in (layer + 1)..<transforms.count {
      floats = try applyFloat(transforms[index], index: index, image: shell, values: floats)
    }
    let channelsFirst = output.layout == .channelsFirst
    let shape = channelsFirst ? [channels, height, width] : [height, width, channels]
    if floats == nil, output.dtype == .float32 { floats = (pixels ?? []).map(Float.init) }
    if let floats {
      return AugmentedTensor(
        shape: shape,
        values: .float32(
          channelsFirst
            ? Kernels.channelsFirst(floats, height: height, width: width, channels: channels) : floats))
    }
    let bytes = pixels ?? []
    return AugmentedTensor(
      shape: shape,
      values: .uint8(
        channelsFirst ? Kernels.channelsFirst(bytes, height: height, width: width, channels: channels) : bytes
      ))
  }

  static func floatValues(_ values: AugmentedTensor.Values) -> [Float] {
    switch values {
    case .uint8(let bytes): bytes.map(Float.init)
    case .float32(let floats): floats
    }
  }

  /// Replaces `box` (clipped to the image) of `target` with the same pixels of `source` (HWC order).
  static func copyBox<Element>(
    _ box: MixBox?, from source: [Element], into target: inout [Element], width: Int, height: Int,
    channels: Int
  ) {
    guard let box else { return }
    let x0 = max(box.x, 0)
    let y0 = max(box.y, 0)
    let x1 = min(box.x + box.width, width)
    let y1 = min(box.y + box.height, height)
    guard x0 < x1, y0 < y1 else { return }
    for y in y0..<y1 {
      let start = (y * width + x0) * channels
      let end = (y * width + x1) * channels
      target.replaceSubrange(start..<end, with: source[start..<end])
    }
  }
}

import AugStoreImaging

extension TransformSpec {
  /// Applies this sub-layer of a composite (RandAugment, AugMix) with its recorded `params` to a float
  /// image, the way Keras chains the sub-layers' `transform_images`: float32 in and out, nothing rounded
  /// (see ``FloatImage``). The parameters map onto the kernels exactly as the 8-bit path maps them
  /// (`value_range` scaling included).
  ///
  /// - Throws: ``AugmentationError/parameterMismatch(index:transform:)`` (naming the composite layer at
  ///   `index`) when `params` are not this sub-layer's kind or the sub-layer cannot be chained.
  func applyChained(
    _ params: TransformParams, to image: FloatImage, index: Int, composite: String
  ) throws(AugmentationError) -> FloatImage {
    switch (self, params) {
    case (.randomShear(_, _, let fillMode, let interpolation, let fillValue), .shear(let x, let y)):
      return Kernels.affine(
        image, .shear(x: Double(x), y: Double(y)), interpolation: interpolation, fillMode: fillMode,
        fillValue: Float(fillValue))
    case (
      .randomTranslation(_, _, let fillMode, let interpolation, let fillValue),
      .translation(let translateX, let translateY)
    ):
      return Kernels.affine(
        image, .translation(x: Double(translateX), y: Double(translateY)), interpolation: interpolation,
        fillMode: fillMode, fillValue: Float(fillValue))
    case (.randomRotation(_, let fillMode, let interpolation, let fillValue), .rotation(let angle)):
      return Kernels.affine(
        image, .rotation(degrees: Double(angle), height: image.height, width: image.width),
        interpolation: interpolation, fillMode: fillMode, fillValue: Float(fillValue))
    case (.randomBrightness(_, let valueRange), .brightness(let rgbDelta)):
      return Kernels.adjustBrightness(image, delta: rgbDelta * Float(255 / valueRange.span))
    case (.randomColorDegeneration, .colorDegeneration(let factor)):
      return Kernels.degenerateColor(image, factor: factor)
    case (.randomContrast, .contrast(let factor)):
      return Kernels.adjustContrast(image, factor: factor)
    case (.randomSharpness(_, let valueRange), .sharpness(let factor)):
      // Keras pads with 0 in `value_range` units: that is this value on the 0–255 scale.
      return Kernels.sharpen(image, factor: factor, padding: Float(-valueRange.lower * 255 / valueRange.span))
    case (.randomPosterization, .posterization(let shift)):
      return shift == 0 ? image : Kernels.posterize(image, shift: shift)
    case (.solarization, .solarization(let additions, let thresholds)):
      return Kernels.solarize(image, addition: additions, threshold: thresholds)
    case (.autoContrast, .none):
      return Kernels.autoContrast(image)
    case (.equalization(_, let bins), .none):
      return Kernels.equalize(image, bins: bins)
    default:
      throw .parameterMismatch(index: index, transform: composite)
    }
  }
}

import AugStoreCatalog
import AugStoreTransforms
import Foundation

/// One parameter value as history prints it.
public enum ParameterValue: Sendable, Equatable, Encodable, CustomStringConvertible {
  /// A yes/no parameter (`flips`, `grayscale`, `applied`).
  case bool(Bool)
  /// An integer parameter (crop `x`, `y`, erasing box).
  case int(Int)
  /// A float32 parameter (`angle`, `height_zoom`, …).
  case float(Float)
  /// A text parameter (an erasing noise seed in hex).
  case string(String)

  /// Encodes the bare value.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .bool(let value): try container.encode(value)
    case .int(let value): try container.encode(value)
    case .float(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    }
  }

  /// The bare value as text: `true`, `3`, `-12.5`, or the string.
  public var description: String {
    switch self {
    case .bool(let value): "\(value)"
    case .int(let value): "\(value)"
    case .float(let value): "\(value)"
    case .string(let value): value
    }
  }

  /// The value as a number for statistics (`nil` for text).
  public var number: Double? {
    switch self {
    case .bool(let value): value ? 1 : 0
    case .int(let value): Double(value)
    case .float(let value): Double(value)
    case .string: nil
    }
  }
}

extension TransformParams {
  /// A composite's operations as history prints them: `[random_rotation angle=12.5, equalization]`.
  static func operationsText(_ ops: [CompositeOp], names: [String]) -> String {
    let items = ops.map { op in
      ([names.indices.contains(op.index) ? names[op.index] : "op_\(op.index)"]
        + op.params.fields.map { "\($0.name)=\($0.value)" }).joined(separator: " ")
    }
    return "[" + items.joined(separator: ", ") + "]"
  }

  /// The parameters with Keras' names, in the order ``SampleRecord/jsonString`` writes them.
  public var fields: [(name: String, value: ParameterValue)] {
    switch self {
    case .none: return []
    case .flip(let flips): return [("flips", .bool(flips))]
    case .rotation(let angle): return [("angle", .float(angle))]
    case .zoom(let height, let width):
      return [("height_zoom", .float(height)), ("width_zoom", .float(width))]
    case .translation(let x, let y): return [("translate_x", .float(x)), ("translate_y", .float(y))]
    case .shear(let x, let y): return [("shear_x", .float(x)), ("shear_y", .float(y))]
    case .gaussianBlur(let applied, let x, let y):
      return [
        ("should_apply_blur", .bool(applied)), ("blur_factor_x", .float(x)), ("blur_factor_y", .float(y)),
      ]
    case .perspective(let applied, let endPoints):
      return [("apply_perspective", .bool(applied))]
        + endPoints.enumerated().map {
          ("end_\($0.offset % 2 == 0 ? "x" : "y")\($0.offset / 2)", .float($0.element))
        }
    case .elasticTransform(let applied, let distortion, let seed):
      return [
        ("apply_transform", .bool(applied)), ("distortion_factor", .float(distortion)),
        ("noise_seed", .string(SampleKey(rawValue: seed).description)),
      ]
    case .crop(let x, let y): return [("x", .int(x)), ("y", .int(y))]
    case .brightness(let value): return [("rgb_delta", .float(value))]
    case .contrast(let value): return [("contrast_factor", .float(value))]
    case .saturation(let value): return [("saturation_factor", .float(value))]
    case .hue(let value): return [("hue_factor", .float(value))]
    case .grayscale(let value): return [("grayscale", .bool(value))]
    case .erasing(let box):
      guard let box else { return [("applied", .bool(false))] }
      var fields: [(name: String, value: ParameterValue)] = [
        ("applied", .bool(true)), ("x", .int(box.x)), ("y", .int(box.y)), ("width", .int(box.width)),
        ("height", .int(box.height)),
      ]
      if let seed = box.noiseSeed {
        fields.append(("noise_seed", .string(SampleKey(rawValue: seed).description)))
      }
      return fields
    case .invert(let value): return [("apply_inversion", .bool(value))]
    case .solarization(let additions, let thresholds):
      return [("additions", .float(additions)), ("thresholds", .float(thresholds))]
    case .posterization(let shift): return [("shift_factor", .int(shift))]
    case .colorDegeneration(let factor), .sharpness(let factor): return [("factor", .float(factor))]
    case .colorJitter(let jitter):
      let names = ["rgb_delta", "contrast_factor", "saturation_factor", "hue_factor"]
      let values = [jitter.rgbDelta, jitter.contrastFactor, jitter.saturationFactor, jitter.hueFactor]
      return zip(names, values).compactMap { name, value in value.map { (name, .float($0)) } }
    case .randAugment(let ops):
      return [("ops", .string(Self.operationsText(ops, names: TransformSpec.randAugmentOperationNames)))]
    case .augMix(let augMix):
      let chains = augMix.chains.map { Self.operationsText($0, names: TransformSpec.augMixOperationNames) }
      let weights = augMix.chainWeights.map { ParameterValue.float($0).description }
      return [
        ("weight_sample", .float(augMix.inputWeight)),
        ("chain_mixing_weights", .string("[" + weights.joined(separator: ", ") + "]")),
        ("chains", .string("[" + chains.joined(separator: ", ") + "]")),
      ]
    case .mix(let mix):
      var fields: [(name: String, value: ParameterValue)] = [
        ("partner", .int(mix.partner)), ("mix_weight", .float(mix.weight)),
      ]
      if let box = mix.box {
        fields += [
          ("x", .int(box.x)), ("y", .int(box.y)), ("width", .int(box.width)), ("height", .int(box.height)),
        ]
      }
      return fields
    }
  }

  /// Whether these parameters change the image: a flip or grayscale that happened, a non-zero angle,
  /// shift, brightness delta or hue shift, a zoom, contrast or saturation factor other than 1, an
  /// erasing box that was applied, an inversion that happened, a posterization that clears bits, a colour
  /// degeneration factor other than 0, a sharpness factor other than 0.5, a colour jitter step that is
  /// not neutral, a RandAugment choice of which one operation changes it, an AugMix draw whose input
  /// weight is below 1 with a chain operation that changes it, a mix whose own weight is
  /// below 1. Crops, solarization (which samples it changes
  /// depends on the image) and transforms without random parameters always change it.
  public var changesImage: Bool {
    switch self {
    case .none, .crop: true
    case .flip(let flips): flips
    case .rotation(let angle): angle != 0
    case .zoom(let height, let width): height != 1 || width != 1
    case .translation(let x, let y): x != 0 || y != 0
    case .shear(let x, let y): x != 0 || y != 0
    case .gaussianBlur(let applied, _, _): applied
    case .perspective(let applied, _): applied
    case .elasticTransform(let applied, let distortion, _): applied && distortion != 0
    case .brightness(let value): value != 0
    case .contrast(let value): value != 1
    case .saturation(let value): value != 1
    case .hue(let value): value != 0
    case .grayscale(let value): value
    case .erasing(let box): box.map { $0.width > 0 && $0.height > 0 } ?? false
    case .invert(let value): value
    case .solarization: true
    case .posterization(let shift): shift != 0
    case .colorDegeneration(let factor): factor != 0
    case .sharpness(let factor): factor != 0.5
    case .colorJitter(let jitter):
      (jitter.rgbDelta ?? 0) != 0 || (jitter.contrastFactor ?? 1) != 1 || (jitter.saturationFactor ?? 1) != 1
        || (jitter.hueFactor ?? 0) != 0
    case .randAugment(let ops): ops.contains { $0.params.changesImage }
    case .augMix(let augMix):
      augMix.inputWeight != 1 && augMix.chains.contains { $0.contains { $0.params.changesImage } }
    case .mix(let mix): mix.weight != 1
    }
  }
}

/// One sample's records over a run's recorded epochs.
public struct SampleHistory: Sendable, Equatable {
  /// The run's name.
  public var run: String
  /// The sample (index in the dataset version, path, label).
  public var sample: Sample
  /// The pipeline's transform names (Keras layer names), in order.
  public var transforms: [String]
  /// One record per recorded epoch, in epoch order.
  public var epochs: [StoredRecord]
  /// The paths of the samples this one was mixed with (MixUp, CutMix), by sample index.
  public var partnerPaths: [Int: String] = [:]

  package init(
    run: String, sample: Sample, transforms: [String], epochs: [StoredRecord],
    partnerPaths: [Int: String] = [:]
  ) {
    self.run = run
    self.sample = sample
    self.transforms = transforms
    self.epochs = epochs
    self.partnerPaths = partnerPaths
  }
}

extension Store {
  /// Finds a sample of the run's dataset version by index (all digits) or relative path.
  ///
  /// - Throws: `StoreError.sampleNotFound`.
  public func sample(of details: RunDetails, matching text: String) throws -> Sample {
    if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(text),
      let found = try catalog.sample(in: details.version, position: index)
    {
      return found
    }
    guard let found = try catalog.sample(in: details.version, path: text) else {
      throw StoreError.sampleNotFound(run: details.run.name, sample: text)
    }
    return found
  }

  /// Every recorded epoch of one sample (or those in `epochs`): position, original or not, each
  /// transform's parameters and the tensor digest (`nil` until materialized).
  ///
  /// - Parameter sample: the sample's index in the run's dataset version or its relative path.
  /// - Throws: `StoreError.noRecordedEpochs` when the run has none, `.sampleNotFound`,
  ///   `CatalogError.epochNotRecorded` for a selected epoch that is not recorded.
  public func history(
    run name: String, sample text: String, epochs: EpochSelection? = nil
  ) throws
    -> SampleHistory
  {
    let details = try runDetails(named: name)
    let spec = try Self.spec(of: details.pipeline)
    let sample = try self.sample(of: details, matching: text)
    if epochs == nil, try catalog.recordedEpochs(run: details.run).isEmpty {
      throw StoreError.noRecordedEpochs(run: name)
    }
    let records = try catalog.history(run: details.run, sample: sample.position, epochs: epochs?.epochs)
    var partnerPaths: [Int: String] = [:]
    for record in records {
      for case .mix(let mix) in record.record.params where partnerPaths[mix.partner] == nil {
        partnerPaths[mix.partner] = try catalog.sample(in: details.version, position: mix.partner)?.path
      }
    }
    return SampleHistory(
      run: name, sample: sample, transforms: spec.transforms.map(\.typeName), epochs: records,
      partnerPaths: partnerPaths)
  }
}

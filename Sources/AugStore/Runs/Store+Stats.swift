import AugStoreCatalog
import AugStoreTransforms
import Foundation

/// One bin of a histogram: values in `lower..<upper` (the last bin includes `upper`).
public struct HistogramBin: Sendable, Equatable, Encodable {
  /// The bin's lower edge.
  public var lower: Double
  /// The bin's upper edge.
  public var upper: Double
  /// How many values fell into it.
  public var count: Int
}

/// The distribution of one numeric parameter of one transform over the selected records.
public struct ParameterStats: Sendable, Equatable, Encodable {
  /// The parameter's Keras name (`angle`, `height_zoom`, `x`, …).
  public var name: String
  /// How many records drew it.
  public var count: Int
  /// The smallest value.
  public var min: Double
  /// The largest value.
  public var max: Double
  /// The mean value.
  public var mean: Double
  /// Ten equal-width bins from `min` to `max` (one bin when they are equal).
  public var histogram: [HistogramBin]
}

/// How often one transform of the pipeline applied and changed the image.
public struct TransformStats: Sendable, Equatable, Encodable {
  /// The transform's place in the pipeline.
  public var index: Int
  /// Its Keras layer name.
  public var type: String
  /// Records in which it applied (every record that is not an original).
  public var applied: Int
  /// Records in which it changed the image (see ``TransformParams/changesImage``).
  public var changed: Int
  /// The distribution of each numeric parameter.
  public var parameters: [ParameterStats]
}

/// How many distinct tensors each sample produced over the selected epochs.
///
/// Encodes with `samples_by_count` as an object whose keys are the counts as text.
public struct DistinctTensorStats: Sendable, Equatable, Encodable {
  /// `"digests"` when every selected record is materialized (distinct tensor digests), else
  /// `"parameters"` (distinct parameter records: an upper bound on distinct tensors).
  public var source: String
  /// The fewest distinct tensors of any sample.
  public var min: Int
  /// The most.
  public var max: Int
  /// The mean over samples.
  public var mean: Double
  /// Number of distinct tensors → how many samples produced that many.
  public var samplesByCount: [Int: Int]

  enum CodingKeys: String, CodingKey {
    case source, min, max, mean
    case samplesByCount = "samples_by_count"
  }

  /// Encodes the JSON form `{source, min, max, mean, samples_by_count: {"N": samples}}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(source, forKey: .source)
    try container.encode(min, forKey: .min)
    try container.encode(max, forKey: .max)
    try container.encode(mean, forKey: .mean)
    try container.encode(
      Dictionary(uniqueKeysWithValues: samplesByCount.map { ("\($0.key)", $0.value) }),
      forKey: .samplesByCount)
  }
}

/// Statistics over a run's recorded epochs.
///
/// Encodes with snake_case keys: `run`, `epochs`, `samples`, `records`, `original_records`,
/// `unchanged_records`, `never_original`, `transforms`, `distinct_tensors`.
public struct RunStats: Sendable, Equatable, Encodable {
  /// The run's name.
  public var run: String
  /// The epochs the statistics cover.
  public var epochs: [Int]
  /// Samples per epoch.
  public var samples: Int
  /// Records covered: `epochs.count * samples`.
  public var records: Int
  /// Records that were originals (drawn by `original_probability`).
  public var originalRecords: Int
  /// Records whose image no transform changed: originals, plus records where every transform drew
  /// parameters that leave the image as it is (a flip that did not happen, …).
  public var unchangedRecords: Int
  /// Samples whose image was changed in every covered epoch: the model never saw the original.
  public var neverOriginal: Int
  /// One entry per pipeline transform.
  public var transforms: [TransformStats]
  /// Distinct tensors per sample.
  public var distinctTensors: DistinctTensorStats

  enum CodingKeys: String, CodingKey {
    case run, epochs, samples, records, transforms
    case originalRecords = "original_records"
    case unchangedRecords = "unchanged_records"
    case neverOriginal = "never_original"
    case distinctTensors = "distinct_tensors"
  }
}

extension TransformParams {
  /// Calls `body` with each numeric field (integer or float) of ``fields`` as `(index in fields,
  /// value)`, without building the field list.
  public func forEachNumber(_ body: (Int, Double) -> Void) {
    switch self {
    case .none, .flip, .grayscale: return
    case .rotation(let value), .brightness(let value), .contrast(let value), .saturation(let value),
      .hue(let value):
      body(0, Double(value))
    case .zoom(let first, let second), .translation(let first, let second):
      body(0, Double(first))
      body(1, Double(second))
    case .shear(let first, let second):
      body(0, Double(first))
      body(1, Double(second))
    case .gaussianBlur(_, let first, let second):
      body(1, Double(first))
      body(2, Double(second))
    case .perspective(_, let endPoints):
      for (index, value) in endPoints.enumerated() { body(index + 1, Double(value)) }
    case .elasticTransform(_, let distortion, _):
      body(1, Double(distortion))
    case .crop(let x, let y):
      body(0, Double(x))
      body(1, Double(y))
    case .erasing(let box):
      guard let box else { return }
      body(1, Double(box.x))
      body(2, Double(box.y))
      body(3, Double(box.width))
      body(4, Double(box.height))
    case .invert: return
    case .solarization(let additions, let thresholds):
      body(0, Double(additions))
      body(1, Double(thresholds))
    case .posterization(let shift): body(0, Double(shift))
    case .colorDegeneration(let factor), .sharpness(let factor): body(0, Double(factor))
    case .colorJitter(let jitter):
      var index = 0
      for value in [jitter.rgbDelta, jitter.contrastFactor, jitter.saturationFactor, jitter.hueFactor] {
        guard let value else { continue }
        body(index, Double(value))
        index += 1
      }
    case .randAugment(let ops):
      // Field k counts how often operation k was chosen (see ``numberName(_:)``).
      Self.countOperations(ops, kinds: TransformSpec.randAugmentOperationNames.count) { body($0, $1) }
    case .augMix(let augMix):
      // Field 0 is the input's weight; field 1 + k counts how often operation k was chosen.
      body(0, Double(augMix.inputWeight))
      Self.countOperations(augMix.chains.joined(), kinds: TransformSpec.augMixOperationNames.count) {
        body(1 + $0, $1)
      }
    case .mix(let mix):
      // The partner (field 0) is a sample index, not a quantity.
      body(1, Double(mix.weight))
      guard let box = mix.box else { return }
      body(2, Double(box.x))
      body(3, Double(box.y))
      body(4, Double(box.width))
      body(5, Double(box.height))
    }
  }
}

extension TransformParams {
  /// Calls `body(k, n)` for each operation kind `k` a composite chose `n > 0` times.
  static func countOperations(
    _ ops: some Sequence<CompositeOp>, kinds: Int, _ body: (Int, Double) -> Void
  ) {
    var counts = [Int](repeating: 0, count: kinds)
    for op in ops where counts.indices.contains(op.index) { counts[op.index] += 1 }
    for (index, count) in counts.enumerated() where count > 0 { body(index, Double(count)) }
  }

  /// The name of numeric field `field` of ``forEachNumber(_:)``: the name in ``fields``, or for
  /// RandAugment and AugMix the operation whose choices field `field` counts (AugMix's field 0 is its
  /// `weight_sample`).
  public func numberName(_ field: Int) -> String {
    switch self {
    case .randAugment:
      let names = TransformSpec.randAugmentOperationNames
      return names.indices.contains(field) ? names[field] : "op_\(field)"
    case .augMix:
      let names = TransformSpec.augMixOperationNames
      if field == 0 { return "weight_sample" }
      return names.indices.contains(field - 1) ? names[field - 1] : "op_\(field - 1)"
    default:
      return fields[field].name
    }
  }
}

extension Store {
  /// Statistics over the run's recorded epochs (or `epochs`): per transform how often it changed the
  /// image and the distribution of each numeric parameter, how many samples never saw their
  /// original, and how many distinct tensors each sample produced.
  ///
  /// One pass over the records, sample by sample (each block across the epochs). The histograms'
  /// bins span each parameter's final range, so values near the bin edges are kept until the end;
  /// only when a range keeps widening past those edges are the records binned in a second pass.
  /// With two cores or more, a second thread reads and scans the blocks while this one counts them,
  /// and a third adds the numeric values to their histograms (each in the same order as one thread
  /// would: the result does not depend on it).
  ///
  /// - Throws: `StoreError.noRecordedEpochs`, `CatalogError.epochNotRecorded` for a selected epoch
  ///   that is not recorded, `CatalogError.corruptRecords`.
  public func stats(run name: String, epochs selection: EpochSelection? = nil) throws -> RunStats {
    try stats(run: name, epochs: selection, threads: Parallel.coreCount)
  }

  /// ``stats(run:epochs:)`` read on a second thread when `threads` is 2 or more, else on this one.
  func stats(run name: String, epochs selection: EpochSelection?, threads: Int) throws -> RunStats {
    let details = try runDetails(named: name)
    let spec = try Self.spec(of: details.pipeline)
    let recorded = try catalog.recordedEpochs(run: details.run)
    let epochs: [Int]
    if let selection {
      let known = Set(recorded.map(\.epoch))
      if let missing = selection.epochs.first(where: { !known.contains($0) }) {
        throw CatalogError.epochNotRecorded(run: name, epoch: missing)
      }
      epochs = selection.epochs
    } else {
      guard !recorded.isEmpty else { throw StoreError.noRecordedEpochs(run: name) }
      epochs = recorded.map(\.epoch)
    }
    let sampleCount = recorded.first { $0.epoch == epochs[0] }?.sampleCount ?? details.version.sampleCount
    var pass = StatsPass(
      run: name, transformCount: spec.transforms.count, epochCount: epochs.count, threadedFields: threads >= 2)
    // A failed pass still ends the adding thread.
    defer { _ = pass.fieldWork.finish() }
    let transformCount = spec.transforms.count
    if threads >= 2 {
      let reader = ScannedBlockReader(
        catalog: catalog, run: details.run, epochs: epochs, transformCount: transformCount)
      reading: while true {
        switch reader.next() {
        case .blocks(let group):
          do {
            try pass.add(group, epochs: epochs)
          } catch {
            reader.stop()
            throw error
          }
        case .end(let failure):
          if let failure { throw failure }
          break reading
        }
      }
    } else {
      try catalog.forEachBlockAcrossEpochs(run: details.run, epochs: epochs) { blocks in
        var scanner = BlockScanner(blocks, transformCount: transformCount)
        while let chunk = scanner.next() { try pass.add(chunk, epochs: epochs) }
      }
    }
    pass.finishFields()
    var rebin = Set<Int>()
    for field in pass.fields.indices where !pass.fields[field].finish() { rebin.insert(field) }
    if !rebin.isEmpty {
      for epoch in epochs {
        try catalog.forEachBlock(run: details.run, epoch: epoch) { block in
          try pass.rebin(block, epoch: epoch, fields: rebin)
        }
      }
    }
    return pass.stats(spec: spec, epochs: epochs, sampleCount: sampleCount)
  }
}

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
  /// The parameters with Keras' names, in the order ``SampleRecord/jsonString`` writes them.
  public var fields: [(name: String, value: ParameterValue)] {
    switch self {
    case .none: return []
    case .flip(let flips): return [("flips", .bool(flips))]
    case .rotation(let angle): return [("angle", .float(angle))]
    case .zoom(let height, let width):
      return [("height_zoom", .float(height)), ("width_zoom", .float(width))]
    case .translation(let x, let y): return [("translate_x", .float(x)), ("translate_y", .float(y))]
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
    }
  }

  /// Whether these parameters change the image: a flip or grayscale that happened, a non-zero angle,
  /// shift, brightness delta or hue shift, a zoom, contrast or saturation factor other than 1, an
  /// erasing box that was applied. Crops and transforms without random parameters always change it.
  public var changesImage: Bool {
    switch self {
    case .none, .crop: true
    case .flip(let flips): flips
    case .rotation(let angle): angle != 0
    case .zoom(let height, let width): height != 1 || width != 1
    case .translation(let x, let y): x != 0 || y != 0
    case .brightness(let value): value != 0
    case .contrast(let value): value != 1
    case .saturation(let value): value != 1
    case .hue(let value): value != 0
    case .grayscale(let value): value
    case .erasing(let box): box.map { $0.width > 0 && $0.height > 0 } ?? false
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
    return SampleHistory(
      run: name, sample: sample, transforms: spec.transforms.map(\.typeName), epochs: records)
  }
}

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
public struct ParameterStats: Sendable, Equatable {
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
public struct TransformStats: Sendable, Equatable {
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
public struct DistinctTensorStats: Sendable, Equatable {
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
}

/// Statistics over a run's recorded epochs.
public struct RunStats: Sendable, Equatable {
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
}

extension Store {
  /// Statistics over the run's recorded epochs (or `epochs`): per transform how often it changed the
  /// image and the distribution of each numeric parameter, how many samples never saw their
  /// original, and how many distinct tensors each sample produced.
  ///
  /// - Throws: `StoreError.noRecordedEpochs`, `CatalogError.epochNotRecorded` for a selected epoch
  ///   that is not recorded, `CatalogError.corruptRecords`.
  public func stats(run name: String, epochs selection: EpochSelection? = nil) throws -> RunStats {
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
    let transformCount = spec.transforms.count
    var applied = [Int](repeating: 0, count: transformCount)
    var changed = [Int](repeating: 0, count: transformCount)
    var accumulators: [FieldKey: FieldAccumulator] = [:]
    var fieldOrder: [FieldKey] = []
    var originalRecords = 0
    var unchangedRecords = 0
    var neverOriginal = 0
    var allMaterialized = true
    var byParameters = CountSummary()
    var byDigests = CountSummary()

    // Pass 1, sample by sample (block by block across epochs): counts, ranges, distinct tensors.
    let blockCount = (sampleCount + RecordBlock.size - 1) / RecordBlock.size
    for blockIndex in 0..<blockCount {
      let blocks = try catalog.blocks(run: details.run, block: blockIndex, epochs: epochs)
      let decoded = try zip(epochs, blocks).map { epoch, block in
        try Self.decode(block, run: name, epoch: epoch)
      }
      let count = blocks.first?.count ?? 0
      for index in 0..<count {
        var sawOriginal = false
        var records = Set<SampleRecord>()
        var tensors = Set<Int64>()
        for (block, blockRecords) in zip(blocks, decoded) {
          let record = blockRecords[index]
          records.insert(record)
          if let id = block.tensorId(at: index) { tensors.insert(id) } else { allMaterialized = false }
          if record.original || !record.params.contains(where: \.changesImage) {
            unchangedRecords += 1
            sawOriginal = true
          }
          if record.original {
            originalRecords += 1
            continue
          }
          for (transform, params) in record.params.enumerated() where transform < transformCount {
            applied[transform] += 1
            if params.changesImage { changed[transform] += 1 }
            for field in params.fields {
              switch field.value {
              case .int, .float:
                if let value = field.value.number {
                  Self.add(
                    value, FieldKey(transform: transform, name: field.name), &accumulators, &fieldOrder)
                }
              default: continue
              }
            }
          }
        }
        if !sawOriginal { neverOriginal += 1 }
        byParameters.add(records.count)
        byDigests.add(tensors.count)
      }
    }

    // Pass 2, epoch by epoch: ten-bin histograms over each parameter's [min, max].
    if !accumulators.isEmpty {
      for epoch in epochs {
        try catalog.forEachBlock(run: details.run, epoch: epoch) { block in
          for record in try Self.decode(block, run: name, epoch: epoch) where !record.original {
            for (transform, params) in record.params.enumerated() where transform < transformCount {
              for field in params.fields {
                switch field.value {
                case .int, .float:
                  if let value = field.value.number {
                    accumulators[FieldKey(transform: transform, name: field.name)]?.bin(value)
                  }
                default: continue
                }
              }
            }
          }
        }
      }
    }

    let transforms = spec.transforms.enumerated().map { index, transform in
      TransformStats(
        index: index, type: transform.typeName, applied: applied[index], changed: changed[index],
        parameters: fieldOrder.filter { $0.transform == index }.compactMap { key in
          accumulators[key].map { $0.stats(name: key.name) }
        })
    }
    let distinct = allMaterialized ? byDigests : byParameters
    return RunStats(
      run: name, epochs: epochs, samples: sampleCount, records: sampleCount * epochs.count,
      originalRecords: originalRecords, unchangedRecords: unchangedRecords, neverOriginal: neverOriginal,
      transforms: transforms,
      distinctTensors: DistinctTensorStats(
        source: allMaterialized ? "digests" : "parameters", min: distinct.min ?? 0, max: distinct.max ?? 0,
        mean: distinct.samples > 0 ? Double(distinct.total) / Double(distinct.samples) : 0,
        samplesByCount: distinct.histogram))
  }

  static func decode(_ block: RecordBlock, run: String, epoch: Int) throws -> [SampleRecord] {
    do {
      return try block.records()
    } catch {
      throw CatalogError.corruptRecords(run: run, epoch: epoch, block: block.block, reason: error.message)
    }
  }

  private static func add(
    _ value: Double, _ key: FieldKey, _ accumulators: inout [FieldKey: FieldAccumulator],
    _ order: inout [FieldKey]
  ) {
    if accumulators[key] == nil {
      accumulators[key] = FieldAccumulator()
      order.append(key)
    }
    accumulators[key]?.add(value)
  }
}

private struct FieldKey: Hashable {
  var transform: Int
  var name: String
}

private struct FieldAccumulator {
  static let binCount = 10
  var count = 0
  var sum = 0.0
  var min = Double.infinity
  var max = -Double.infinity
  var bins = [Int](repeating: 0, count: binCount)

  mutating func add(_ value: Double) {
    count += 1
    sum += value
    min = Swift.min(min, value)
    max = Swift.max(max, value)
  }

  mutating func bin(_ value: Double) {
    guard max > min else {
      bins[0] += 1
      return
    }
    let index = Int((value - min) / (max - min) * Double(Self.binCount))
    bins[Swift.min(Swift.max(index, 0), Self.binCount - 1)] += 1
  }

  func stats(name: String) -> ParameterStats {
    let histogram: [HistogramBin]
    if max > min {
      let width = (max - min) / Double(Self.binCount)
      histogram = bins.enumerated().map { index, count in
        HistogramBin(
          lower: min + Double(index) * width,
          upper: index == Self.binCount - 1 ? max : min + Double(index + 1) * width,
          count: count)
      }
    } else {
      histogram = [HistogramBin(lower: min, upper: max, count: bins[0])]
    }
    return ParameterStats(
      name: name, count: count, min: min, max: max, mean: count > 0 ? sum / Double(count) : 0,
      histogram: histogram)
  }
}

private struct CountSummary {
  var samples = 0
  var total = 0
  var min: Int?
  var max: Int?
  var histogram: [Int: Int] = [:]

  mutating func add(_ count: Int) {
    samples += 1
    total += count
    min = Swift.min(min ?? count, count)
    max = Swift.max(max ?? count, count)
    histogram[count, default: 0] += 1
  }
}

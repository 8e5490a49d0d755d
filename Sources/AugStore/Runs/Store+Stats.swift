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
    var pass = StatsPass(run: name, transformCount: spec.transforms.count, epochCount: epochs.count)
    try catalog.forEachBlockAcrossEpochs(run: details.run, epochs: epochs) { blocks in
      try pass.add(blocks, epochs: epochs)
    }
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

/// The state of one statistics pass over a run's records.
private struct StatsPass {
  let run: String
  let transformCount: Int
  var applied: [Int]
  var changed: [Int]
  /// Numeric fields in order of first appearance, and their accumulators.
  var fieldKeys: [(transform: Int, name: String)] = []
  var fields: [FieldAccumulator] = []
  /// `slots[transform * fieldStride + field]`: index into `fields`, or -1.
  var slots: [Int]
  var originalRecords = 0
  var unchangedRecords = 0
  var neverOriginal = 0
  var allMaterialized = true
  var byParameters = CountSummary()
  var byDigests = CountSummary()
  // Per sample, reused: each epoch's record hash and byte range, the tensor ids.
  var hashes: [(hash: UInt64, epoch: Int)]
  var ranges: [Range<Int>]
  var tensorIds: [Int64] = []

  static let fieldStride = 16

  init(run: String, transformCount: Int, epochCount: Int) {
    self.run = run
    self.transformCount = transformCount
    applied = [Int](repeating: 0, count: transformCount)
    changed = [Int](repeating: 0, count: transformCount)
    slots = [Int](repeating: -1, count: transformCount * Self.fieldStride)
    hashes = []
    hashes.reserveCapacity(epochCount)
    ranges = [Range<Int>](repeating: 0..<0, count: epochCount)
    tensorIds.reserveCapacity(epochCount)
  }

  /// Adds block `b` of every selected epoch: the records of its samples across the epochs.
  mutating func add(_ blocks: [RecordBlock], epochs: [Int]) throws {
    let count = blocks.first?.count ?? 0
    var offsets = [Int](repeating: 0, count: blocks.count)
    for index in 0..<count {
      var sawOriginal = false
      hashes.removeAll(keepingCapacity: true)
      tensorIds.removeAll(keepingCapacity: true)
      for (slot, block) in blocks.enumerated() {
        let start = offsets[slot]
        let (original, end, hash, unchanged) = try record(in: block, from: start, epoch: epochs[slot])
        offsets[slot] = end
        ranges[slot] = start..<end
        hashes.append((hash, slot))
        if let id = block.tensorId(at: index) { tensorIds.append(id) } else { allMaterialized = false }
        if unchanged {
          unchangedRecords += 1
          sawOriginal = true
        }
        if original { originalRecords += 1 }
      }
      if !sawOriginal { neverOriginal += 1 }
      byParameters.add(try distinctRecords(blocks, epochs: epochs))
      tensorIds.sort()
      var distinctTensors = 0
      for (position, id) in tensorIds.enumerated() where position == 0 || tensorIds[position - 1] != id {
        distinctTensors += 1
      }
      byDigests.add(distinctTensors)
    }
    for (slot, block) in blocks.enumerated() where offsets[slot] != block.params.count {
      throw CatalogError.corruptRecords(
        run: run, epoch: epochs[slot], block: block.block, reason: "trailing bytes after \(count) records")
    }
  }

  /// Decodes one record: counts what it applied and changed, adds its numbers, and returns its end,
  /// a hash of its value and whether it left the image unchanged.
  private mutating func record(
    in block: RecordBlock, from start: Int, epoch: Int
  ) throws -> (original: Bool, end: Int, hash: UInt64, unchanged: Bool) {
    var transform = 0
    var anyChange = false
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
    let decoded = block.params.withUnsafeBufferPointer { buffer in
      Result { () throws(SampleRecordDecodingError) -> (original: Bool, end: Int) in
        try SampleRecord.decode(buffer, from: start) { params in
          hash = Self.mix(hash, params)
          if transform < transformCount {
            let changes = params.changesImage
            applied[transform] += 1
            if changes { changed[transform] += 1 }
            anyChange = anyChange || changes
            let base = transform * Self.fieldStride
            params.forEachNumber { field, value in
              var slot = slots[base + field]
              if slot < 0 {
                slot = fields.count
                slots[base + field] = slot
                fieldKeys.append((transform, params.numberName(field)))
                fields.append(FieldAccumulator())
              }
              fields[slot].add(value)
            }
          } else if params.changesImage {
            anyChange = true
          }
          transform += 1
        }
      }
    }
    let original: Bool
    let end: Int
    do {
      (original, end) = try decoded.get()
    } catch {
      throw CatalogError.corruptRecords(run: run, epoch: epoch, block: block.block, reason: error.message)
    }
    hash = Self.mix(hash, original ? 1 : 2)
    return (original, end, hash, original || !anyChange)
  }

  /// How many distinct records the current sample has across the epochs: records with equal hashes
  /// are decoded and compared.
  private mutating func distinctRecords(_ blocks: [RecordBlock], epochs: [Int]) throws -> Int {
    hashes.sort { $0.hash < $1.hash }
    var distinct = 0
    var groupStart = 0
    while groupStart < hashes.count {
      var groupEnd = groupStart + 1
      while groupEnd < hashes.count, hashes[groupEnd].hash == hashes[groupStart].hash { groupEnd += 1 }
      if groupEnd - groupStart == 1 {
        distinct += 1
      } else {
        var seen: [SampleRecord] = []
        for entry in hashes[groupStart..<groupEnd] {
          let block = blocks[entry.epoch]
          let record: SampleRecord
          do {
            record = try SampleRecord(encoded: Array(block.params[ranges[entry.epoch]]))
          } catch {
            throw CatalogError.corruptRecords(
              run: run, epoch: epochs[entry.epoch], block: block.block, reason: error.message)
          }
          if !seen.contains(record) { seen.append(record) }
        }
        distinct += seen.count
      }
      groupStart = groupEnd
    }
    return distinct
  }

  /// Bins the numbers of `fields` (indexes into ``fields``) of one block's records (second pass).
  mutating func rebin(_ block: RecordBlock, epoch: Int, fields wanted: Set<Int>) throws {
    var start = 0
    for _ in 0..<block.count {
      var transform = 0
      let decoded = block.params.withUnsafeBufferPointer { buffer in
        Result { () throws(SampleRecordDecodingError) -> (original: Bool, end: Int) in
          try SampleRecord.decode(buffer, from: start) { params in
            if transform < transformCount {
              let base = transform * Self.fieldStride
              params.forEachNumber { field, value in
                let slot = slots[base + field]
                if slot >= 0, wanted.contains(slot) { fields[slot].bin(value) }
              }
            }
            transform += 1
          }
        }
      }
      do {
        start = try decoded.get().end
      } catch {
        throw CatalogError.corruptRecords(run: run, epoch: epoch, block: block.block, reason: error.message)
      }
    }
  }

  func stats(spec: PipelineSpec, epochs: [Int], sampleCount: Int) -> RunStats {
    let transforms = spec.transforms.enumerated().map { index, transform in
      TransformStats(
        index: index, type: transform.typeName, applied: applied[index], changed: changed[index],
        parameters: fieldKeys.indices.filter { fieldKeys[$0].transform == index }.map { slot in
          fields[slot].stats(name: fieldKeys[slot].name)
        })
    }
    let distinct = allMaterialized ? byDigests : byParameters
    return RunStats(
      run: run, epochs: epochs, samples: sampleCount, records: sampleCount * epochs.count,
      originalRecords: originalRecords, unchangedRecords: unchangedRecords, neverOriginal: neverOriginal,
      transforms: transforms,
      distinctTensors: DistinctTensorStats(
        source: allMaterialized ? "digests" : "parameters", min: distinct.min ?? 0, max: distinct.max ?? 0,
        mean: distinct.samples > 0 ? Double(distinct.total) / Double(distinct.samples) : 0,
        samplesByCount: distinct.histogram))
  }

  /// Mixes `value` into `hash` (a 64-bit multiply-xorshift).
  static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
    var h = (hash ^ value) &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    return h &* 0xC4CE_B9FE_1A85_EC53
  }

  /// Mixes one transform's parameters: equal parameters (as `==` compares them: 0 and -0 are
  /// equal) mix the same.
  static func mix(_ hash: UInt64, _ params: TransformParams) -> UInt64 {
    func bits(_ value: Float) -> UInt64 { value == 0 ? 0 : UInt64(value.bitPattern) }
    switch params {
    case .none: return mix(hash, 0x100)
    case .flip(let value): return mix(hash, 0x200 | (value ? 1 : 0))
    case .rotation(let value): return mix(mix(hash, 0x300), bits(value))
    case .zoom(let first, let second): return mix(mix(mix(hash, 0x400), bits(first)), bits(second))
    case .translation(let first, let second): return mix(mix(mix(hash, 0x500), bits(first)), bits(second))
    case .shear(let first, let second): return mix(mix(mix(hash, 0x1400), bits(first)), bits(second))
    case .gaussianBlur(let applied, let first, let second):
      return mix(mix(mix(hash, 0x1500 | (applied ? 1 : 0)), bits(first)), bits(second))
    case .perspective(let applied, let endPoints):
      return endPoints.reduce(mix(hash, 0x1600 | (applied ? 1 : 0))) { mix($0, bits($1)) }
    case .elasticTransform(let applied, let distortion, let seed):
      return mix(mix(mix(hash, 0x1700 | (applied ? 1 : 0)), bits(distortion)), seed)
    case .crop(let x, let y):
      return mix(mix(mix(hash, 0x600), UInt64(bitPattern: Int64(x))), UInt64(bitPattern: Int64(y)))
    case .brightness(let value): return mix(mix(hash, 0x700), bits(value))
    case .contrast(let value): return mix(mix(hash, 0x800), bits(value))
    case .saturation(let value): return mix(mix(hash, 0x900), bits(value))
    case .hue(let value): return mix(mix(hash, 0xA00), bits(value))
    case .grayscale(let value): return mix(hash, 0xB00 | (value ? 1 : 0))
    case .erasing(let box):
      guard let box else { return mix(hash, 0xC00) }
      var result = mix(mix(hash, 0xC01), UInt64(bitPattern: Int64(box.x)))
      result = mix(mix(result, UInt64(bitPattern: Int64(box.y))), UInt64(bitPattern: Int64(box.width)))
      result = mix(result, UInt64(bitPattern: Int64(box.height)))
      return box.noiseSeed.map { mix(mix(result, 1), $0) } ?? mix(result, 0)
    case .invert(let value): return mix(hash, 0xD00 | (value ? 1 : 0))
    case .solarization(let additions, let thresholds):
      return mix(mix(mix(hash, 0xE00), bits(additions)), bits(thresholds))
    case .posterization(let shift): return mix(hash, 0xF00 | UInt64(UInt8(clamping: shift)))
    case .colorDegeneration(let factor): return mix(mix(hash, 0x1000), bits(factor))
    case .sharpness(let factor): return mix(mix(hash, 0x1200), bits(factor))
    case .colorJitter(let jitter):
      var result = mix(hash, 0x1300)
      for value in [jitter.rgbDelta, jitter.contrastFactor, jitter.saturationFactor, jitter.hueFactor] {
        result = value.map { mix(mix(result, 1), bits($0)) } ?? mix(result, 0)
      }
      return result
    case .mix(let record):
      // The tensor depends on the partner's parameters too.
      var result = mix(mix(mix(hash, 0x2000), UInt64(bitPattern: Int64(record.partner))), bits(record.weight))
      if let box = record.box {
        for value in [box.x, box.y, box.width, box.height] {
          result = mix(result, UInt64(bitPattern: Int64(value)))
        }
      }
      result = mix(result, record.partnerRecord.original ? 1 : 0)
      for params in record.partnerRecord.params { result = mix(result, params) }
      return result
    case .randAugment(let ops):
      var result = mix(hash, 0x1800 | UInt64(ops.count))
      for op in ops { result = mix(mix(result, UInt64(op.index)), op.params) }
      return result
    case .augMix(let augMix):
      var result = mix(mix(hash, 0x1900 | UInt64(augMix.chains.count)), bits(augMix.inputWeight))
      for weight in augMix.chainWeights { result = mix(result, bits(weight)) }
      for chain in augMix.chains {
        result = mix(result, 0x1A00 | UInt64(chain.count))
        for op in chain { result = mix(mix(result, UInt64(op.index)), op.params) }
      }
      return result
    }
  }
}

/// One numeric parameter's count, sum, range and ten-bin histogram over its final range.
///
/// The first ``bufferLimit`` values are kept. Then nine narrow windows are placed around the bin
/// edges that range gives: values between two windows are counted per gap, values inside a window
/// are kept. At the end, when the final range puts every edge inside its window, the gaps' counts
/// are exact bins and only the kept values are binned; otherwise ``finish()`` asks for a second
/// pass.
struct FieldAccumulator {
  static let binCount = 10
  static let bufferLimit = 1 << 18
  /// Each window's half width, as a fraction of the range the windows are placed for.
  static let windowFraction = 1.0 / 2048
  var count = 0
  var sum = 0.0
  var min = Double.infinity
  var max = -Double.infinity
  var bins = [Int](repeating: 0, count: binCount)
  /// Values not yet binned: the first ones, then those inside a window.
  var kept: [Double] = []
  /// `[lower, upper]` of window `j` (around the edge between bins `j` and `j + 1`), once placed.
  var windows: [(lower: Double, upper: Double)] = []
  /// Values in the gap before window `j` (the last: after the last window).
  var gaps = [Int](repeating: 0, count: binCount)
  /// A value arrived while the range was one point and no windows could be placed.
  var unplaced = false

  mutating func add(_ value: Double) {
    count += 1
    sum += value
    min = Swift.min(min, value)
    max = Swift.max(max, value)
    if windows.isEmpty {
      guard !unplaced else { return }
      kept.append(value)
      if kept.count >= Self.bufferLimit { placeWindows() }
    } else {
      place(value)
    }
  }

  /// Counts `value` in its gap, or keeps it when it is inside a window.
  private mutating func place(_ value: Double) {
    var gap = 0
    while gap < windows.count, value > windows[gap].upper { gap += 1 }
    if gap < windows.count, value >= windows[gap].lower {
      kept.append(value)
    } else {
      gaps[gap] += 1
    }
  }

  /// Places the windows around the bin edges of the range seen so far, and sorts the kept values
  /// into gaps and windows.
  private mutating func placeWindows() {
    guard max > min else {
      unplaced = true
      kept = []
      return
    }
    let width = (max - min) / Double(Self.binCount)
    let half = (max - min) * Self.windowFraction
    windows = (1..<Self.binCount).map { edge in
      let at = min + Double(edge) * width
      return (at - half, at + half)
    }
    let values = kept
    kept = []
    for value in values { place(value) }
  }

  /// The bin of `value` in the final range.
  func binIndex(_ value: Double) -> Int {
    guard max > min else { return 0 }
    let index = Int((value - min) / (max - min) * Double(Self.binCount))
    return Swift.min(Swift.max(index, 0), Self.binCount - 1)
  }

  /// Fills ``bins`` from what was gathered; `false` when the records must be binned again with
  /// ``bin(_:)`` (after ``bins`` were reset).
  mutating func finish() -> Bool {
    if unplaced {
      bins = [Int](repeating: 0, count: Self.binCount)
      // Every value so far was the same: one bin when nothing else came.
      guard max > min else {
        bins[0] = count
        return true
      }
      return false
    }
    if !windows.isEmpty {
      // Every value of gap j must fall in bin j: each window must hold its edge.
      for (edge, window) in windows.enumerated()
      where binIndex(window.lower) > edge || binIndex(window.upper) < edge + 1 {
        bins = [Int](repeating: 0, count: Self.binCount)
        return false
      }
      bins = gaps
    }
    for value in kept { bins[binIndex(value)] += 1 }
    kept = []
    return true
  }

  /// Counts `value` in its bin (second pass).
  mutating func bin(_ value: Double) {
    bins[binIndex(value)] += 1
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

import AugStoreCatalog
import AugStoreTransforms

/// The state of one statistics pass over a run's records.
struct StatsPass: Sendable {
  let run: String
  let transformCount: Int
  var applied: [Int]
  var changed: [Int]
  /// `appliedUpTo[n]`: scanned records that applied transforms `0..<n` (counted into ``applied``
  /// at the end).
  var appliedUpTo: [Int]
  /// Numeric fields in order of first appearance, and their accumulators (filled by
  /// ``finishFields()``; until then ``fieldWork`` adds the values).
  var fieldKeys: [(transform: Int, name: String)] = []
  var fields: [FieldAccumulator] = []
  /// Adds the numeric values to the accumulators, on a thread of its own when the pass is threaded.
  let fieldWork: FieldWork
  /// The current chunk's values, handed to ``fieldWork`` at the end of ``add(_:epochs:)``.
  var batch: FieldBatch?
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
  /// Where the next record of each selected epoch's current block starts.
  var offsets: [Int] = []
  /// An open-addressing set of the current sample's hashes: `hashTable[i]` is in it when
  /// `hashStamps[i] == stamp`.
  var hashTable: [UInt64] = []
  var hashStamps: [Int] = []
  var stamp = 0

  static let fieldStride = 16

  /// Starts a pass; with `threadedFields`, the numeric values are added to their accumulators on a
  /// thread of their own (in the same order, so with the same sums).
  init(run: String, transformCount: Int, epochCount: Int, threadedFields: Bool = false) {
    self.run = run
    fieldWork = FieldWork(threaded: threadedFields)
    self.transformCount = transformCount
    applied = [Int](repeating: 0, count: transformCount)
    changed = [Int](repeating: 0, count: transformCount)
    appliedUpTo = [Int](repeating: 0, count: transformCount + 1)
    slots = [Int](repeating: -1, count: transformCount * Self.fieldStride)
    hashes = []
    hashes.reserveCapacity(epochCount)
    ranges = [Range<Int>](repeating: 0..<0, count: epochCount)
    tensorIds.reserveCapacity(epochCount)
  }

  /// Adds samples of block `b` of every selected epoch (scanned by ``BlockScanner``): their records
  /// across the epochs. The chunks of one block come in order, the first starting at sample 0.
  ///
  /// A scanned record is counted from its scan when it starts where the block's previous record
  /// ended and every numeric field it carries has an accumulator; any other record is decoded with
  /// ``SampleRecord/decode(_:from:_:)`` (which creates accumulators and names corrupt bytes). Either
  /// way the numbers are added in the same order (sample by sample, epoch by epoch, transform by
  /// transform), so every sum is the same.
  mutating func add(_ group: ScannedBlocks, epochs: [Int]) throws {
    let blocks = group.blocks
    let count = group.sampleCount
    if group.firstSample == 0 { offsets = [Int](repeating: 0, count: blocks.count) }
    batch = FieldBatch(group: group, slots: [])
    for index in 0..<count {
      var sawOriginal = false
      hashes.removeAll(keepingCapacity: true)
      tensorIds.removeAll(keepingCapacity: true)
      for slot in blocks.indices {
        let start = offsets[slot]
        let original: Bool
        let end: Int
        let hash: UInt64
        let unchanged: Bool
        let record = slot * count + index
        let scanned = group.records[record]
        let valueStart = record == 0 ? 0 : group.records[record - 1].valueEnd
        if scanned.start == start, commit(scanned, group: group, values: valueStart..<scanned.valueEnd) {
          original = scanned.flags & ScannedBlocks.original != 0
          unchanged = original || scanned.flags & ScannedBlocks.changed == 0
          end = scanned.end
          hash = scanned.hash
        } else {
          let first = batch?.decodedValues.count ?? 0
          (original, end, hash, unchanged) = try self.record(
            in: blocks[slot], from: start, epoch: epochs[slot])
          let last = batch?.decodedValues.count ?? 0
          batch?.decoded.append((record, first..<last))
        }
        offsets[slot] = end
        ranges[slot] = start..<end
        hashes.append((hash, slot))
        if allMaterialized {
          if let id = blocks[slot].tensorId(at: group.firstSample + index) {
            tensorIds.append(id)
          } else {
            allMaterialized = false
          }
        }
        if unchanged {
          unchangedRecords += 1
          sawOriginal = true
        }
        if original { originalRecords += 1 }
      }
      if !sawOriginal { neverOriginal += 1 }
      byParameters.add(distinctHashes() ? hashes.count : try distinctRecords(blocks, epochs: epochs))
      if allMaterialized {
        tensorIds.sort()
        var distinctTensors = 0
        for (position, id) in tensorIds.enumerated() where position == 0 || tensorIds[position - 1] != id {
          distinctTensors += 1
        }
        byDigests.add(distinctTensors)
      }
    }
    if var finished = batch {
      batch = nil
      finished.slots = slots
      fieldWork.submit(finished)
    }
    guard group.firstSample + count == group.blockSampleCount else { return }
    for (slot, block) in blocks.enumerated() where offsets[slot] != block.params.count {
      throw CatalogError.corruptRecords(
        run: run, epoch: epochs[slot], block: block.block,
        reason: "trailing bytes after \(group.blockSampleCount) records")
    }
  }

  /// Counts what a scanned record of `group` applied and changed (its numbers, `values` in the group,
  /// are added by ``fieldWork``); `false`, with nothing counted, when it was not scanned or one of
  /// its fields has no accumulator yet.
  private mutating func commit(
    _ record: ScannedBlocks.Record, group: ScannedBlocks, values: Range<Int>
  ) -> Bool {
    guard record.flags & ScannedBlocks.scanned != 0 else { return false }
    for index in values where slots[Int(group.keys[index])] < 0 { return false }
    // Transforms 0..<n applied: counted per n, summed at the end.
    appliedUpTo[Swift.min(Int(record.paramCount), transformCount)] += 1
    var mask = record.changedMask
    while mask != 0 {
      changed[mask.trailingZeroBitCount] += 1
      mask &= mask - 1
    }
    return true
  }

  /// Whether the current sample's record hashes are all different (then its records are).
  private mutating func distinctHashes() -> Bool {
    let size = hashTable.count
    if size < 2 * hashes.count {
      var newSize = 64
      while newSize < 2 * hashes.count { newSize *= 2 }
      hashTable = [UInt64](repeating: 0, count: newSize)
      hashStamps = [Int](repeating: 0, count: newSize)
      stamp = 0
    }
    stamp += 1
    let mask = hashTable.count - 1
    for entry in hashes {
      var at = Int(truncatingIfNeeded: entry.hash ^ (entry.hash >> 29)) & mask
      while hashStamps[at] == stamp {
        if hashTable[at] == entry.hash { return false }
        at = (at + 1) & mask
      }
      hashStamps[at] = stamp
      hashTable[at] = entry.hash
    }
    return true
  }

  /// Decodes one record: counts what it applied and changed, queues its numbers in ``batch`` (for
  /// ``fieldWork``), and returns its end, a hash of its value and whether it left the image
  /// unchanged.
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
                slot = fieldKeys.count
                slots[base + field] = slot
                fieldKeys.append((transform, params.numberName(field)))
              }
              batch?.decodedSlots.append(slot)
              batch?.decodedValues.append(value)
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

  /// Waits for ``fieldWork`` to add every value handed over and takes its accumulators into
  /// ``fields`` (before ``FieldAccumulator/finish()``, ``rebin(_:epoch:fields:)`` or ``stats``).
  mutating func finishFields() {
    fields = fieldWork.finish()
    while fields.count < fieldKeys.count { fields.append(FieldAccumulator()) }
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
        index: index, type: transform.typeName,
        applied: applied[index] + appliedUpTo[(index + 1)...].reduce(0, +), changed: changed[index],
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
    let bits = StatsRecordScan.bits
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

/// Per-sample counts: their total, range and histogram.
struct CountSummary {
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

/// Samples `firstSample..<firstSample + sampleCount` of block `b` of every selected epoch, read by
/// ``BlockScanner``: per record what ``StatsRecordScan`` found. The record of sample
/// `firstSample + i` in block (epoch) `e` is entry `e * sampleCount + i`.
struct ScannedBlocks: Sendable {
  /// What one record's scan found.
  struct Record: Sendable {
    /// Its hash, original flag mixed in.
    var hash: UInt64
    /// Bit `t` when transform `t` changed the image.
    var changedMask: UInt64
    /// Where it starts and ends in its block's bytes (-1 when it was not scanned).
    var start: Int
    var end: Int
    /// The end of its values in ``keys`` and ``values``.
    var valueEnd: Int
    /// How many parameters it holds.
    var paramCount: UInt8
    /// ``scanned``, ``original``, ``changed``.
    var flags: UInt8
  }

  /// The blocks, one per selected epoch.
  let blocks: [RecordBlock]
  /// The first sample (index in the blocks) and how many samples follow.
  let firstSample: Int
  let sampleCount: Int
  /// Samples per block.
  let blockSampleCount: Int
  var records: [Record] = []
  /// The numeric fields' keys (see ``StatsRecordScan``) and values, record after record.
  var keys: [UInt16] = []
  var values: [Double] = []

  /// The record was scanned (else every other entry of it is meaningless).
  static let scanned: UInt8 = 1
  /// It is an original.
  static let original: UInt8 = 2
  /// Some parameter of it changed the image.
  static let changed: UInt8 = 4

  init(blocks: [RecordBlock], firstSample: Int, sampleCount: Int) {
    self.blocks = blocks
    self.firstSample = firstSample
    self.sampleCount = sampleCount
    blockSampleCount = blocks.first?.count ?? 0
    records.reserveCapacity(sampleCount * blocks.count)
  }

  /// Appends a scanned record that starts at `start`.
  mutating func append(_ scan: StatsRecordScan, start: Int) {
    for index in 0..<scan.valueCount { keys.append(UInt16(truncatingIfNeeded: scan.keys[index])) }
    values.append(contentsOf: UnsafeBufferPointer(rebasing: scan.values[..<scan.valueCount]))
    records.append(
      Record(
        hash: StatsPass.mix(scan.hash, scan.original ? 1 : 2), changedMask: scan.changedMask, start: start,
        end: scan.end, valueEnd: values.count, paramCount: UInt8(scan.paramCount),
        flags: Self.scanned | (scan.original ? Self.original : 0) | (scan.anyChange ? Self.changed : 0)))
  }

  /// Appends `count` records that were not scanned.
  mutating func markUnscanned(_ count: Int) {
    for _ in 0..<count {
      records.append(
        Record(hash: 0, changedMask: 0, start: -1, end: -1, valueEnd: values.count, paramCount: 0, flags: 0))
    }
  }
}

/// Scans block `b` of every selected epoch with ``StatsRecordScan`` a few samples at a time (each
/// chunk small enough to stay in the caches while it is handed over and counted).
///
/// A record that cannot be scanned is marked so; after one whose end cannot be found the block's
/// later records are not scanned either.
struct BlockScanner {
  /// Samples per chunk.
  static let chunkSize = 32

  let blocks: [RecordBlock]
  let transformCount: Int
  /// Where each block's next record starts, or `nil` once an end could not be found.
  private var offsets: [Int?]
  private var nextSample = 0
  private var keys = [Int](repeating: 0, count: 4 * StatsRecordScan.maxParams)
  private var values = [Double](repeating: 0, count: 4 * StatsRecordScan.maxParams)

  init(_ blocks: [RecordBlock], transformCount: Int) {
    self.blocks = blocks
    self.transformCount = transformCount
    offsets = [Int?](repeating: transformCount <= StatsRecordScan.maxParams ? 0 : nil, count: blocks.count)
  }

  /// The next chunk, or `nil` after the last (a block of no samples gives one empty chunk).
  mutating func next() -> ScannedBlocks? {
    let count = blocks.first?.count ?? 0
    guard nextSample < count || (nextSample == 0 && count == 0 && !blocks.isEmpty) else { return nil }
    let first = nextSample
    let chunk = Swift.min(Self.chunkSize, count - first)
    nextSample = first + Swift.max(chunk, 1)
    var group = ScannedBlocks(blocks: blocks, firstSample: first, sampleCount: chunk)
    let transformCount = transformCount
    var offsets = offsets
    keys.withUnsafeMutableBufferPointer { keyBuffer in
      values.withUnsafeMutableBufferPointer { valueBuffer in
        var scan = StatsRecordScan(transformCount: transformCount, keys: keyBuffer, values: valueBuffer)
        for (slot, block) in blocks.enumerated() {
          guard var start = offsets[slot] else {
            group.markUnscanned(chunk)
            continue
          }
          block.params.withUnsafeBufferPointer { bytes in
            for index in 0..<chunk {
              if scan.scan(bytes, from: start) {
                group.append(scan, start: start)
                start = scan.end
                continue
              }
              group.markUnscanned(1)
              let end = Result { () throws(SampleRecordDecodingError) -> Int in
                try RecordBlock.recordEnd(in: bytes, from: start)
              }
              guard case .success(let next) = end else {
                group.markUnscanned(chunk - index - 1)
                offsets[slot] = nil
                return
              }
              start = next
            }
            offsets[slot] = start
          }
        }
      }
    }
    self.offsets = offsets
    return group
  }
}

import AugStoreTransforms

/// The records of up to ``size`` consecutive samples of one (run, epoch): one row of `record_blocks`.
///
/// Block `b` holds samples `b * size ..< b * size + count` (sample = index in the run's dataset
/// version). Layout of the row's blobs (schema 3):
///
/// - `positions`: `count` little-endian `UInt32`, the sample's position in the epoch's order;
/// - `tensors`: `nil`, or `count` little-endian `UInt32` ids into `tensors` (0: not materialized);
/// - `params`: `count` ``SampleRecord`` encodings (``SampleRecord/encoded()``), concatenated.
public struct RecordBlock: Sendable, Equatable {
  /// Samples per block (the last block of an epoch may hold fewer).
  public static let size = 1024

  /// Records per entry of ``groupStarts``.
  public static let groupSize = 32

  /// The block's index: it holds samples from `block * size`.
  public var block: Int
  /// How many samples the block holds.
  public var count: Int
  /// `count` little-endian `UInt32` positions.
  public var positions: [UInt8]
  /// `nil`, or `count` little-endian `UInt32` tensor ids (0: not materialized).
  public var tensors: [UInt8]?
  /// `count` concatenated record encodings.
  public var params: [UInt8]
  /// Where records 0, ``groupSize``, 2 × ``groupSize``, … start in `params`, then `params.count`, as
  /// little-endian `UInt32`; kept by ``RecordBlockBuilder`` as it appends (an index a catalog may
  /// store beside the block, derived from `params`), `nil` for a block built otherwise or read back.
  ///
  /// Not part of the block's value: `==` compares the stored columns only.
  public var groupStarts: [UInt8]?

  /// Describes a stored block.
  public init(
    block: Int, count: Int, positions: [UInt8], tensors: [UInt8]?, params: [UInt8],
    groupStarts: [UInt8]? = nil
  ) {
    self.block = block
    self.count = count
    self.positions = positions
    self.tensors = tensors
    self.params = params
    self.groupStarts = groupStarts
  }

  /// Whether two blocks hold the same samples, positions, tensor ids and records (``groupStarts``,
  /// derived from `params`, is not compared).
  public static func == (lhs: RecordBlock, rhs: RecordBlock) -> Bool {
    lhs.block == rhs.block && lhs.count == rhs.count && lhs.positions == rhs.positions
      && lhs.tensors == rhs.tensors && lhs.params == rhs.params
  }

  /// The first sample of the block.
  public var firstSample: Int { block * Self.size }

  /// The position of the block's `index`-th sample in the epoch's order.
  public func position(at index: Int) -> Int {
    Int(Self.u32(positions, at: index) ?? 0)
  }

  /// The tensor id of the block's `index`-th sample, or `nil` if it is not materialized.
  public func tensorId(at index: Int) -> Int64? {
    guard let tensors, let id = Self.u32(tensors, at: index), id != 0 else { return nil }
    return Int64(id)
  }

  /// The byte range of the `index`-th record in `params`.
  ///
  /// - Throws: ``SampleRecordDecodingError`` when the bytes are not a valid concatenation.
  public func recordRange(at index: Int) throws(SampleRecordDecodingError) -> Range<Int> {
    try Self.recordRange(in: params, at: index)
  }

  /// The `index`-th record, decoded.
  public func record(at index: Int) throws(SampleRecordDecodingError) -> SampleRecord {
    try SampleRecord(encoded: Array(params[try recordRange(at: index)]))
  }

  /// Every record of the block in sample order, decoded.
  public func records() throws(SampleRecordDecodingError) -> [SampleRecord] {
    var result: [SampleRecord] = []
    result.reserveCapacity(count)
    var start = 0
    for _ in 0..<count {
      let end = try Self.recordEnd(in: params, from: start)
      result.append(try SampleRecord(encoded: Array(params[start..<end])))
      start = end
    }
    guard start == params.count else {
      throw SampleRecordDecodingError(message: "trailing bytes after \(count) records")
    }
    return result
  }

  /// The `index`-th little-endian `UInt32` of `bytes`, or `nil` past the end.
  public static func u32(_ bytes: [UInt8], at index: Int) -> UInt32? {
    let offset = index * 4
    guard index >= 0, offset + 4 <= bytes.count else { return nil }
    return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
      | UInt32(bytes[offset + 3]) << 24
  }

  /// Appends `value` as a little-endian `UInt32`.
  public static func appendU32(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes.append(UInt8(truncatingIfNeeded: value))
    bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value >> 16))
    bytes.append(UInt8(truncatingIfNeeded: value >> 24))
  }

  /// The byte range of the `index`-th record encoding in `params`, extending `starts` (where
  /// records 0, 1, … start, as found so far; empty at first) as far as that record: a caller reading
  /// many records of one block walks its bytes once, not once per record as ``recordRange(at:)`` does.
  public func recordRange(
    at index: Int, starts: inout [Int]
  ) throws(SampleRecordDecodingError) -> Range<Int> {
    guard index >= 0 else { throw SampleRecordDecodingError(message: "negative record index \(index)") }
    if starts.isEmpty { starts.append(0) }
    while starts.count < index + 2 {
      starts.append(try Self.recordEnd(in: params, from: starts[starts.count - 1]))
    }
    return starts[index]..<starts[index + 1]
  }

  /// The byte range of the `index`-th record encoding in a concatenation, found by skipping the
  /// records before it (their lengths follow from their tags; nothing is decoded).
  public static func recordRange(
    in params: [UInt8], at index: Int
  ) throws(SampleRecordDecodingError)
    -> Range<Int>
  {
    guard index >= 0 else { throw SampleRecordDecodingError(message: "negative record index \(index)") }
    var start = 0
    for _ in 0..<index { start = try recordEnd(in: params, from: start) }
    return start..<(try recordEnd(in: params, from: start))
  }

  /// Where the record encoding that starts at `start` ends (format version 1).
  public static func recordEnd(in bytes: [UInt8], from start: Int) throws(SampleRecordDecodingError) -> Int {
    let result = bytes.withUnsafeBufferPointer { buffer in
      Result { () throws(SampleRecordDecodingError) -> Int in try recordEnd(in: buffer, from: start) }
    }
    return try result.get()
  }

  /// Where the record encoding that starts at `start` ends (format version 1), in raw bytes.
  public static func recordEnd(
    in bytes: UnsafeBufferPointer<UInt8>, from start: Int
  )
    throws(SampleRecordDecodingError) -> Int
  {
    var reader = SkipReader(bytes: bytes, position: start)
    let version = try reader.byte()
    guard version == SampleRecord.encodingVersion else {
      throw reader.fail("unsupported record encoding version \(version)")
    }
    try reader.skip(1)
    let count = try reader.varint()
    guard count <= UInt64(bytes.count) else { throw reader.fail("parameter count \(count) exceeds the data") }
    for _ in 0..<count {
      switch try reader.byte() {
      case 0: break
      case 1, 10: try reader.skip(1)
      case 2, 6, 7, 8, 9: try reader.skip(4)
      case 3, 4: try reader.skip(8)
      case 20: try reader.skip(8)
      case 21: try reader.skip(9)
      case 22: try reader.skip(33)
      case 23: try reader.skip(13)
      case 5:
        _ = try reader.varint()
        _ = try reader.varint()
      case 11:
        let flags = try reader.byte()
        if flags & 1 != 0 {
          for _ in 0..<4 { _ = try reader.varint() }
        }
        if flags & 2 != 0 { try reader.skip(8) }
      case 12, 14: try reader.skip(1)
      case 15, 18: try reader.skip(4)
      case 13: try reader.skip(8)
      case 19: try reader.skip(4 * (try reader.byte() & 0x0F).nonzeroBitCount)
      case 24:
        try reader.skipCounted(what: "operation count")
        try reader.skipCounted(what: "RandAugment operations")
      case 25:
        let chains = try reader.varint()
        guard chains <= UInt64(bytes.count - reader.position) / 4 else {
          throw reader.fail("chain count exceeds the data")
        }
        try reader.skip(4 * Int(chains) + 4)
        for _ in 0..<chains { try reader.skipCounted(what: "operation count") }
        try reader.skipCounted(what: "AugMix operations")
      case 30:
        _ = try reader.varint()
        try reader.skip(4)
        if try reader.byte() & 1 != 0 {
          for _ in 0..<4 { _ = try reader.varint() }
        }
        try reader.skipCounted(what: "partner record")
      case let tag:
        throw reader.fail("unknown parameter tag \(tag)")
      }
    }
    return reader.position
  }
}

/// Steps over record bytes without decoding them.
private struct SkipReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var position: Int

  func fail(_ message: String) -> SampleRecordDecodingError {
    SampleRecordDecodingError(message: "\(message) at byte \(position)")
  }

  mutating func byte() throws(SampleRecordDecodingError) -> UInt8 {
    guard position >= 0, position < bytes.count else { throw fail("truncated record") }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func skip(_ count: Int) throws(SampleRecordDecodingError) {
    guard position + count <= bytes.count else { throw fail("truncated record") }
    position += count
  }

  mutating func varint() throws(SampleRecordDecodingError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let next = try byte()
      guard shift < 64 else { throw fail("varint too long") }
      value |= UInt64(next & 0x7F) << shift
      if next & 0x80 == 0 { return value }
      shift += 7
    }
  }

  /// Skips a varint byte count and that many bytes ("`what` exceeds the data" when they run past the end).
  mutating func skipCounted(what: String) throws(SampleRecordDecodingError) {
    let count = try varint()
    guard count <= UInt64(bytes.count - position) else { throw fail("\(what) exceeds the data") }
    position += Int(count)
  }
}

/// Builds one ``RecordBlock`` sample by sample.
public struct RecordBlockBuilder: Sendable {
  /// The records appended so far; its ``RecordBlock/groupStarts`` end at `params.count`.
  public var block: RecordBlock {
    var block = building
    var starts = groupStarts
    RecordBlock.appendU32(UInt32(truncatingIfNeeded: building.params.count), to: &starts)
    block.groupStarts = starts
    return block
  }
  /// How many of the appended records are originals.
  public private(set) var originalCount = 0

  /// The block without the end entry of its group starts.
  private var building: RecordBlock
  /// Where records 0, ``RecordBlock/groupSize``, … start, so far.
  private var groupStarts: [UInt8] = []

  /// Starts block `index`, reserving room for `expectedCount` records.
  public init(block index: Int, expectedCount: Int) {
    building = RecordBlock(block: index, count: 0, positions: [], tensors: nil, params: [])
    building.positions.reserveCapacity(expectedCount * 4)
    building.params.reserveCapacity(expectedCount * 32)
    groupStarts.reserveCapacity(4 * (expectedCount / RecordBlock.groupSize + 2))
  }

  /// Appends the next sample's position and record.
  public mutating func append(position: Int, record: SampleRecord) {
    if building.count % RecordBlock.groupSize == 0 {
      RecordBlock.appendU32(UInt32(truncatingIfNeeded: building.params.count), to: &groupStarts)
    }
    RecordBlock.appendU32(UInt32(truncatingIfNeeded: position), to: &building.positions)
    record.encode(into: &building.params)
    building.count += 1
    if record.original { originalCount += 1 }
  }
}

/// One drawn epoch of a run, ready for ``Catalog/writeEpoch(run:_:)``.
public struct EpochRecords: Sendable {
  /// The epoch number.
  public var epoch: Int
  /// How many samples the epoch has (the dataset version's sample count).
  public var sampleCount: Int
  /// How many samples are originals this epoch.
  public var originalCount: Int
  /// The epoch's blocks, `0..<ceil(sampleCount / RecordBlock.size)` in order.
  public var blocks: [RecordBlock]

  /// Describes a drawn epoch.
  public init(epoch: Int, sampleCount: Int, originalCount: Int, blocks: [RecordBlock]) {
    self.epoch = epoch
    self.sampleCount = sampleCount
    self.originalCount = originalCount
    self.blocks = blocks
  }
}

/// An epoch the catalog holds records for.
public struct RecordedEpoch: Sendable, Equatable, Codable {
  /// The epoch number.
  public var epoch: Int
  /// How many samples it recorded.
  public var sampleCount: Int
  /// How many of them were originals.
  public var originalCount: Int
  /// When it was recorded (ISO 8601).
  public var recordedAt: String

  /// Describes a recorded epoch.
  public init(epoch: Int, sampleCount: Int, originalCount: Int, recordedAt: String) {
    self.epoch = epoch
    self.sampleCount = sampleCount
    self.originalCount = originalCount
    self.recordedAt = recordedAt
  }
}

/// One sample's record in one epoch, as stored.
public struct StoredRecord: Sendable, Equatable {
  /// The epoch.
  public var epoch: Int
  /// The sample's index in the run's dataset version.
  public var sample: Int
  /// The sample's position in the epoch's order.
  public var position: Int
  /// What the sample got: original or not, and every transform's parameters.
  public var record: SampleRecord
  /// The 32-byte SHA-256 of the materialized tensor, or `nil` until it is materialized.
  public var digest: [UInt8]?

  /// Describes a stored record.
  public init(epoch: Int, sample: Int, position: Int, record: SampleRecord, digest: [UInt8]?) {
    self.epoch = epoch
    self.sample = sample
    self.position = position
    self.record = record
    self.digest = digest
  }
}

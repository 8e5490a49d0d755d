import AugStoreCatalog
import AugStoreTransforms
import Foundation
import NIOCore
import PostgresNIO

extension PostgresCatalog {
  /// Blocks fetched per query when walking many blocks (a few megabytes of rows at most).
  static let blocksPerQuery = 256

  /// Records per entry of a block's `starts` column (schema pg0002): `history` reads at most this
  /// many records of `params` to find one sample's.
  static let startsStride = RecordBlock.groupSize

  /// The epochs recorded for `run`, in epoch order.
  public func recordedEpochs(run: Run) throws -> [RecordedEpoch] {
    try readStatement { session in
      try session.query(
        """
        SELECT epoch, sample_count, original_count, recorded_at FROM epochs
        WHERE run_id = \(run.id) ORDER BY epoch
        """
      ).map { row in
        let (epoch, sampleCount, originalCount, recordedAt) = try row.decode((Int, Int, Int, String).self)
        return RecordedEpoch(
          epoch: epoch, sampleCount: sampleCount, originalCount: originalCount, recordedAt: recordedAt)
      }
    }
  }

  /// Writes one drawn epoch of `run`: its `epochs` row, then every block bulk-loaded with one
  /// `COPY`, in one write transaction.
  ///
  /// Recording an epoch that is already recorded changes nothing (another host may have recorded it
  /// meanwhile: records are a pure function of the run, so both are the same).
  ///
  /// - Returns: `true` if the epoch was written, `false` if it was recorded already.
  @discardableResult
  public func writeEpoch(run: Run, _ epoch: EpochRecords) throws -> Bool {
    let now = Catalog.timestamp()
    let text = Self.copyText(run: run, epoch)
    return try write { session in
      if try !session.query("SELECT 1 FROM epochs WHERE run_id = \(run.id) AND epoch = \(epoch.epoch)")
        .isEmpty
      {
        return false
      }
      try session.query(
        """
        INSERT INTO epochs (run_id, epoch, sample_count, original_count, record_encoding, recorded_at)
        VALUES (\(run.id), \(epoch.epoch), \(epoch.sampleCount), \(epoch.originalCount), \
        \(Int(SampleRecord.encodingVersion)), \(now))
        """)
      if !epoch.blocks.isEmpty {
        try session.copy(
          into: "record_blocks",
          columns: ["run_id", "epoch", "block", "count", "positions", "tensors", "params", "starts"],
          data: text.buffer)
      }
      return true
    }
  }

  /// The epoch's blocks as `COPY` rows of `record_blocks` (tensors null; starts as the block's builder
  /// kept them, or found by walking its records).
  static func copyText(run: Run, _ epoch: EpochRecords) -> PostgresCopyText {
    let bytes = epoch.blocks.reduce(0) { total, block in
      total + 64 + PostgresCopyText.byteaLength(block.positions.count)
        + PostgresCopyText.byteaLength(block.params.count)
        + PostgresCopyText.byteaLength(4 * (block.count / startsStride + 2))
    }
    var text = PostgresCopyText(capacity: bytes)
    for block in epoch.blocks {
      if let id = run.id { text.integer(Int(id)) } else { text.null() }
      text.integer(epoch.epoch)
      text.integer(block.block)
      text.integer(block.count)
      text.bytea(block.positions)
      text.null()
      text.bytea(block.params)
      if let starts = block.groupStarts ?? recordStarts(block.params) {
        text.bytea(starts)
      } else {
        text.null()
      }
      text.endRow()
    }
    return text
  }

  /// One sample's records over the recorded epochs of `run` (all of them, or those in `epochs`),
  /// in epoch order.
  ///
  /// One statement, one round trip: each epoch's sample count, the sample's position, its block's
  /// records and its tensor's digest, joined on the server.
  ///
  /// - Throws: `CatalogError.sampleOutOfRange` when the run's epochs have no such sample,
  ///   `CatalogError.epochNotRecorded` for an epoch in `epochs` that is not recorded,
  ///   `CatalogError.corruptRecords` when stored bytes do not decode.
  public func history(run: Run, sample: Int, epochs: [Int]?) throws -> [StoredRecord] {
    // A negative sample is refused below, after the epochs are checked; the query reads sample 0.
    let blockIndex = max(sample, 0) / RecordBlock.size
    let index = max(sample, 0) % RecordBlock.size
    let offset = index * 4
    // The sample's 4-byte slices of the positions and tensor ids, cut once each (LATERAL): these
    // columns are stored out of line uncompressed (schema pg0001), so `substring` reads only the
    // chunk that holds the slice instead of the whole value, as `get_byte` on the column would.
    let tensorId = Self.u32SQL("s.tensor", at: 0)
    // Its record: from the start of its group of `startsStride` records to the next group's (both in
    // `starts`, schema pg0002), so the server reads a chunk or two of `params`, not the whole value;
    // blocks written before pg0002 have no `starts` and are read whole.
    let group = index / Self.startsStride
    func start(_ entry: Int) -> String { Self.u32SQL("b.starts", at: 4 * entry) }
    let sliced = "length(b.starts) >= \(4 * (group + 2))"
    let select = """
      SELECT e.epoch, e.sample_count, s.position, \
      CASE WHEN \(sliced) THEN substring(b.params FROM (\(start(group)) + 1)::int \
      FOR (\(start(group + 1)) - \(start(group)))::int) ELSE b.params END, \
      coalesce(\(sliced), false), t.digest
      FROM epochs e
      LEFT JOIN record_blocks b ON b.run_id = e.run_id AND b.epoch = e.epoch AND b.block = \(blockIndex)
      LEFT JOIN LATERAL (
        SELECT substring(b.positions FROM \(offset + 1) FOR 4) AS position,
          substring(b.tensors FROM \(offset + 1) FOR 4) AS tensor
      ) s ON true
      LEFT JOIN tensors t ON t.id = CASE WHEN length(s.tensor) = 4 THEN \(tensorId) END
      """
    let query: PostgresQuery =
      if let epochs {
        "\(unescaped: select) WHERE e.run_id = \(run.id) AND e.epoch = ANY(\(epochs))"
      } else {
        "\(unescaped: select) WHERE e.run_id = \(run.id)"
      }
    return try readStatement { session in
      typealias Row = (
        count: Int, position: ByteBuffer?, params: ByteBuffer?, sliced: Bool, digest: ByteBuffer?
      )
      var rows: [Int: Row] = [:]
      for row in try session.query(query) {
        let (epoch, count, position, params, sliced, digest) = try row.decode(
          (Int, Int, ByteBuffer?, ByteBuffer?, Bool, ByteBuffer?).self)
        rows[epoch] = (count, position, params, sliced, digest)
      }
      let wanted: [Int]
      if let epochs {
        for epoch in epochs where rows[epoch] == nil {
          throw CatalogError.epochNotRecorded(run: run.name, epoch: epoch)
        }
        wanted = epochs
      } else {
        wanted = rows.keys.sorted()
      }
      var result: [StoredRecord] = []
      result.reserveCapacity(wanted.count)
      for epoch in wanted {
        guard sample >= 0, let found = rows[epoch], sample < found.count else {
          throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: rows[epoch]?.count ?? 0)
        }
        guard let position = found.position, position.readableBytes == 4, let params = found.params else {
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: blockIndex, reason: "block missing")
        }
        let record: SampleRecord
        do {
          record = try SampleRecord(
            encoded: Self.record(at: found.sliced ? index % Self.startsStride : index, in: params))
        } catch {
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: blockIndex, reason: "\(error)")
        }
        result.append(
          StoredRecord(
            epoch: epoch, sample: sample,
            position: Int(RecordBlock.u32(Array(position.readableBytesView), at: 0) ?? 0), record: record,
            digest: found.digest.map { Array($0.readableBytesView) }))
      }
      return result
    }
  }

  /// The records of `samples` (indexes in the run's dataset version) in one recorded epoch, in the
  /// order given: every block they fall in fetched with one query, their digests with another.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, `.sampleOutOfRange`, `.corruptRecords`.
  public func records(run: Run, epoch: Int, samples: [Int]) throws -> [StoredRecord] {
    try read { session in
      let count = try Self.sampleCount(session, run: run, epoch: epoch)
      let wanted = Set(samples.lazy.filter { $0 >= 0 && $0 < count }.map { $0 / RecordBlock.size })
      let fetched = try Self.fetchBlocks(session, run: run, epoch: epoch, blocks: wanted.sorted())
      var starts: [Int: [Int]] = [:]
      var records: [StoredRecord] = []
      var ids: [Int: Int64] = [:]
      for sample in samples {
        guard sample >= 0, sample < count else {
          throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: count)
        }
        let index = sample / RecordBlock.size
        guard let block = fetched[index] else {
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: index, reason: "block missing")
        }
        let record = try Self.storedRecord(
          run: run, epoch: epoch, block: block, sample: sample, starts: &starts[index, default: []])
        if let id = block.tensorId(at: sample - block.firstSample) { ids[records.count] = id }
        records.append(record)
      }
      let digests = try Self.digests(session, ids: Array(Set(ids.values)))
      for (slot, id) in ids { records[slot].digest = digests[id] }
      return records
    }
  }

  /// Block `block` of each of `epochs` (all recorded), in the order given.
  ///
  /// - Throws: `CatalogError.epochNotRecorded` or `.corruptRecords` when a block is missing.
  public func blocks(run: Run, block: Int, epochs: [Int]) throws -> [RecordBlock] {
    try read { session in
      var found: [Int: RecordBlock] = [:]
      for row in try session.query(
        """
        SELECT epoch, block, count, positions, tensors, params FROM record_blocks
        WHERE run_id = \(run.id) AND block = \(block) AND epoch = ANY(\(epochs))
        """)
      {
        let (epoch, index, count, positions, tensors, params) = try row.decode(
          (Int, Int, Int, ByteBuffer, ByteBuffer?, ByteBuffer).self)
        found[epoch] = Self.block(index, count, positions, tensors, params)
      }
      return try epochs.map { epoch in
        guard let block = found[epoch] else {
          _ = try Self.sampleCount(session, run: run, epoch: epoch)
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: block, reason: "block missing")
        }
        return block
      }
    }
  }

  /// Calls `body` with block `b` of each of `epochs` (in the order given), for every block of the
  /// epochs in order, inside one read transaction; blocks are fetched a few hundred at a time.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, `.corruptRecords` when a block is missing, or what
  ///   `body` throws.
  public func forEachBlockAcrossEpochs(
    run: Run, epochs: [Int], _ body: ([RecordBlock]) throws -> Void
  ) throws {
    try read { session in
      guard let first = epochs.first else { return }
      let counts = try Self.epochCounts(session, run: run, epochs: epochs)
      for epoch in epochs where counts[epoch] == nil {
        throw CatalogError.epochNotRecorded(run: run.name, epoch: epoch)
      }
      let blockCount = ((counts[first] ?? 0) + RecordBlock.size - 1) / RecordBlock.size
      let step = max(1, Self.blocksPerQuery / Set(epochs).count)
      for start in stride(from: 0, to: blockCount, by: step) {
        let end = min(start + step, blockCount)
        var found: [Int: [Int: RecordBlock]] = [:]
        for row in try session.query(
          """
          SELECT epoch, block, count, positions, tensors, params FROM record_blocks
          WHERE run_id = \(run.id) AND block >= \(start) AND block < \(end) AND epoch = ANY(\(epochs))
          """)
        {
          let (epoch, index, count, positions, tensors, params) = try row.decode(
            (Int, Int, Int, ByteBuffer, ByteBuffer?, ByteBuffer).self)
          found[index, default: [:]][epoch] = Self.block(index, count, positions, tensors, params)
        }
        for block in start..<end {
          try body(
            epochs.map { epoch in
              guard let found = found[block]?[epoch] else {
                throw CatalogError.corruptRecords(
                  run: run.name, epoch: epoch, block: block, reason: "block missing")
              }
              return found
            })
        }
      }
    }
  }

  /// Calls `body` with every block of one recorded epoch, in block order, inside one read
  /// transaction; blocks are fetched a few hundred at a time.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, or what `body` throws.
  public func forEachBlock(run: Run, epoch: Int, _ body: (RecordBlock) throws -> Void) throws {
    try read { session in
      _ = try Self.sampleCount(session, run: run, epoch: epoch)
      var after = -1
      while true {
        let rows = try session.query(
          """
          SELECT block, count, positions, tensors, params FROM record_blocks
          WHERE run_id = \(run.id) AND epoch = \(epoch) AND block > \(after)
          ORDER BY block LIMIT \(Self.blocksPerQuery)
          """)
        for row in rows {
          let (index, count, positions, tensors, params) = try row.decode(
            (Int, Int, ByteBuffer, ByteBuffer?, ByteBuffer).self)
          try body(Self.block(index, count, positions, tensors, params))
          after = index
        }
        if rows.count < Self.blocksPerQuery { return }
      }
    }
  }

  /// The order of one recorded epoch: `result[position]` is the sample visited at `position`.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, or `.corruptRecords` if the positions are not a
  ///   permutation.
  public func epochOrder(run: Run, epoch: Int) throws -> [Int] {
    try read { session in
      let count = try Self.sampleCount(session, run: run, epoch: epoch)
      var order = EpochOrderBuilder(run: run.name, epoch: epoch, count: count)
      for row in try session.query(
        "SELECT block, positions FROM record_blocks WHERE run_id = \(run.id) AND epoch = \(epoch) ORDER BY block"
      ) {
        let (block, buffer) = try row.decode((Int, ByteBuffer).self)
        try order.add(block: block, positions: Array(buffer.readableBytesView))
      }
      return try order.finish()
    }
  }

  /// Stores the digests of materialized tensors for samples of one recorded epoch.
  ///
  /// Each distinct digest is stored once in `tensors` (the first writer's row wins; later writers
  /// of the same digest reuse it); the epoch's record of each sample then refers to it. Setting a
  /// digest again replaces the sample's reference. All of `digests` is written in one transaction.
  ///
  /// - Throws: `CatalogError.epochNotRecorded` (record the epoch first), `.sampleOutOfRange`,
  ///   `.invalidDigest` for a digest that is not 32 bytes.
  public func setTensorDigests(run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]) throws {
    try write { session in try Self.setTensorDigests(session, run: run, epoch: epoch, digests) }
  }

  /// How many samples of one recorded epoch have a stored digest, whichever host stored them.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`.
  public func materializedCount(run: Run, epoch: Int) throws -> Int {
    try read { session in
      _ = try Self.sampleCount(session, run: run, epoch: epoch)
      var count = 0
      for row in try session.query(
        """
        SELECT tensors FROM record_blocks WHERE run_id = \(run.id) AND epoch = \(epoch) AND tensors IS NOT NULL
        """)
      {
        let tensors = Array(try row.decode(ByteBuffer.self).readableBytesView)
        for index in 0..<(tensors.count / 4) where (RecordBlock.u32(tensors, at: index) ?? 0) != 0 {
          count += 1
        }
      }
      return count
    }
  }

  /// The digests stored for one recorded epoch: sample index → 32-byte SHA-256, for the samples that
  /// are materialized (all of them, or those in `samples`).
  ///
  /// - Throws: `CatalogError.epochNotRecorded`.
  public func tensorDigests(run: Run, epoch: Int, samples: [Int]?) throws -> [Int: [UInt8]] {
    try read { session in
      _ = try Self.sampleCount(session, run: run, epoch: epoch)
      let wanted = samples.map(Set.init)
      var ids: [(sample: Int, id: Int64)] = []
      for row in try session.query(
        """
        SELECT block, tensors FROM record_blocks
        WHERE run_id = \(run.id) AND epoch = \(epoch) AND tensors IS NOT NULL ORDER BY block
        """)
      {
        let (block, buffer) = try row.decode((Int, ByteBuffer).self)
        let tensors = Array(buffer.readableBytesView)
        for index in 0..<(tensors.count / 4) {
          let sample = block * RecordBlock.size + index
          guard wanted?.contains(sample) ?? true, let id = RecordBlock.u32(tensors, at: index), id != 0 else {
            continue
          }
          ids.append((sample, Int64(id)))
        }
      }
      let known = try Self.digests(session, ids: Array(Set(ids.map(\.id))))
      var digests: [Int: [UInt8]] = [:]
      for (sample, id) in ids {
        if let digest = known[id] { digests[sample] = digest }
      }
      return digests
    }
  }

  /// Commits what the loader delivered in one transaction: the tensor digests recorded on first
  /// delivery, the decoded-original cache files written on the way (indexed only while their file is
  /// there), and the decoded-original entries read (their last use set to now).
  ///
  /// - Throws: what `setTensorDigests(run:epoch:_:)` throws; then nothing is committed.
  public func commitDelivery(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], exists: (CacheEntry) -> Bool
  ) throws {
    let now = Catalog.timestamp()
    try write { session in
      try Self.index(session, cacheWrites, exists: exists)
      try Self.touch(session, touched, now: now)
      if !digests.isEmpty { try Self.setTensorDigests(session, run: run, epoch: epoch, digests) }
    }
  }
}

extension PostgresCatalog {
  static func setTensorDigests(
    _ session: PostgresSession, run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]
  ) throws {
    let count = try sampleCount(session, run: run, epoch: epoch)
    for (sample, digest) in digests {
      guard sample >= 0, sample < count else {
        throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: count)
      }
      guard digest.count == 32 else {
        throw CatalogError.invalidDigest(run: run.name, epoch: epoch, sample: sample, byteCount: digest.count)
      }
    }
    guard !digests.isEmpty else { return }
    // Distinct digests in the order given, inserted in that order (an existing digest keeps its row).
    var seen = Set<[UInt8]>()
    let distinct = digests.map(\.digest).filter { seen.insert($0).inserted }.map { ByteBuffer(bytes: $0) }
    try session.query(
      """
      INSERT INTO tensors (digest)
      SELECT digest FROM unnest(\(distinct)::bytea[]) WITH ORDINALITY AS given(digest, n) ORDER BY n
      ON CONFLICT (digest) DO NOTHING
      """)
    var ids: [[UInt8]: Int64] = [:]
    for row in try session.query("SELECT id, digest FROM tensors WHERE digest = ANY(\(distinct)::bytea[])") {
      let (id, digest) = try row.decode((Int64, ByteBuffer).self)
      ids[Array(digest.readableBytesView)] = id
    }
    var byBlock: [Int: [(index: Int, id: Int64)]] = [:]
    for (sample, digest) in digests {
      guard let id = ids[digest], id <= Int64(UInt32.max) else {
        throw CatalogError.invalidDigest(run: run.name, epoch: epoch, sample: sample, byteCount: digest.count)
      }
      byBlock[sample / RecordBlock.size, default: []].append((sample % RecordBlock.size, id))
    }
    let blocks = byBlock.keys.sorted()
    var stored: [Int: (count: Int, tensors: ByteBuffer?)] = [:]
    for row in try session.query(
      """
      SELECT block, count, tensors FROM record_blocks
      WHERE run_id = \(run.id) AND epoch = \(epoch) AND block = ANY(\(blocks))
      """)
    {
      let (block, blockCount, tensors) = try row.decode((Int, Int, ByteBuffer?).self)
      stored[block] = (blockCount, tensors)
    }
    var updated: [ByteBuffer] = []
    for blockIndex in blocks {
      guard let (blockCount, old) = stored[blockIndex], let entries = byBlock[blockIndex] else {
        throw CatalogError.corruptRecords(
          run: run.name, epoch: epoch, block: blockIndex, reason: "block missing")
      }
      var tensors = old.map { Array($0.readableBytesView) } ?? [UInt8](repeating: 0, count: blockCount * 4)
      if tensors.count != blockCount * 4 { tensors = [UInt8](repeating: 0, count: blockCount * 4) }
      for (index, id) in entries {
        let value = UInt32(truncatingIfNeeded: id)
        for byte in 0..<4 { tensors[index * 4 + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
      }
      updated.append(ByteBuffer(bytes: tensors))
    }
    try session.query(
      """
      UPDATE record_blocks AS r SET tensors = given.tensors
      FROM unnest(\(blocks)::bigint[], \(updated)::bytea[]) AS given(block, tensors)
      WHERE r.run_id = \(run.id) AND r.epoch = \(epoch) AND r.block = given.block
      """)
  }

  /// Sample count per recorded epoch of `run` among `epochs`.
  static func epochCounts(_ session: PostgresSession, run: Run, epochs: [Int]) throws -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for row in try session.query(
      "SELECT epoch, sample_count FROM epochs WHERE run_id = \(run.id) AND epoch = ANY(\(epochs))")
    {
      let (epoch, count) = try row.decode((Int, Int).self)
      counts[epoch] = count
    }
    return counts
  }

  /// The sample count of a recorded epoch.
  static func sampleCount(_ session: PostgresSession, run: Run, epoch: Int) throws -> Int {
    guard
      let row = try session.query(
        "SELECT sample_count FROM epochs WHERE run_id = \(run.id) AND epoch = \(epoch)"
      ).first
    else {
      throw CatalogError.epochNotRecorded(run: run.name, epoch: epoch)
    }
    return try row.decode(Int.self)
  }

  /// The blocks `blocks` of one epoch (those stored), by block index.
  static func fetchBlocks(
    _ session: PostgresSession, run: Run, epoch: Int, blocks: [Int]
  ) throws -> [Int: RecordBlock] {
    var found: [Int: RecordBlock] = [:]
    for row in try session.query(
      """
      SELECT block, count, positions, tensors, params FROM record_blocks
      WHERE run_id = \(run.id) AND epoch = \(epoch) AND block = ANY(\(blocks))
      """)
    {
      let (index, count, positions, tensors, params) = try row.decode(
        (Int, Int, ByteBuffer, ByteBuffer?, ByteBuffer).self)
      found[index] = block(index, count, positions, tensors, params)
    }
    return found
  }

  /// SQL for the little-endian `UInt32` at byte `offset` of the bytea expression `value`, as a bigint.
  static func u32SQL(_ value: String, at offset: Int) -> String {
    let bytes = (0..<4).map { "(get_byte(\(value), \(offset + $0))::bigint << \(8 * $0))" }
    return "(" + bytes.joined(separator: " + ") + ")"
  }

  /// A block's `starts` value (schema pg0002): the little-endian `UInt32` offsets in `params` of
  /// records 0, ``startsStride``, 2 × ``startsStride``, …, then `params.count`; `nil` when the bytes
  /// are not a whole number of record encodings (the block is then read whole, and reported corrupt
  /// where it is decoded).
  static func recordStarts(_ params: [UInt8]) -> [UInt8]? {
    params.withUnsafeBufferPointer { bytes in
      var starts: [UInt8] = []
      starts.reserveCapacity(4 * (bytes.count / 16 / startsStride + 2))
      var start = 0
      var index = 0
      while start < bytes.count {
        if index % startsStride == 0 { RecordBlock.appendU32(UInt32(start), to: &starts) }
        guard let end = try? RecordBlock.recordEnd(in: bytes, from: start), end > start else { return nil }
        start = end
        index += 1
      }
      RecordBlock.appendU32(UInt32(start), to: &starts)
      return starts
    }
  }

  /// The bytes of the `index`-th record encoding in a block's `params`, found by skipping the
  /// records before it in place (only the record itself is copied).
  static func record(at index: Int, in params: ByteBuffer) throws -> [UInt8] {
    try params.withUnsafeReadableBytes { raw in
      let bytes = raw.assumingMemoryBound(to: UInt8.self)
      var start = 0
      for _ in 0..<index { start = try RecordBlock.recordEnd(in: bytes, from: start) }
      let end = try RecordBlock.recordEnd(in: bytes, from: start)
      return Array(bytes[start..<end])
    }
  }

  /// A stored block from its row's values.
  static func block(
    _ index: Int, _ count: Int, _ positions: ByteBuffer, _ tensors: ByteBuffer?, _ params: ByteBuffer
  ) -> RecordBlock {
    RecordBlock(
      block: index, count: count, positions: Array(positions.readableBytesView),
      tensors: tensors.map { Array($0.readableBytesView) }, params: Array(params.readableBytesView))
  }

  /// The digests of tensor rows `ids`, by id.
  static func digests(_ session: PostgresSession, ids: [Int64]) throws -> [Int64: [UInt8]] {
    guard !ids.isEmpty else { return [:] }
    var digests: [Int64: [UInt8]] = [:]
    for row in try session.query("SELECT id, digest FROM tensors WHERE id = ANY(\(ids))") {
      let (id, digest) = try row.decode((Int64, ByteBuffer).self)
      digests[id] = Array(digest.readableBytesView)
    }
    return digests
  }

  /// The record of `sample` in `block` without its digest; `starts` is where the block's records
  /// start as far as an earlier call walked them (see `RecordBlock.recordRange(at:starts:)`).
  static func storedRecord(
    run: Run, epoch: Int, block: RecordBlock, sample: Int, starts: inout [Int]
  ) throws -> StoredRecord {
    let index = sample - block.firstSample
    guard index >= 0, index < block.count else {
      throw CatalogError.corruptRecords(
        run: run.name, epoch: epoch, block: block.block, reason: "sample \(sample) is not in the block")
    }
    let record: SampleRecord
    do {
      record = try SampleRecord(
        encoded: Array(block.params[try block.recordRange(at: index, starts: &starts)]))
    } catch {
      throw CatalogError.corruptRecords(
        run: run.name, epoch: epoch, block: block.block, reason: error.message)
    }
    return StoredRecord(
      epoch: epoch, sample: sample, position: block.position(at: index), record: record, digest: nil)
  }
}

import AugStoreTransforms
import Foundation
import GRDB

extension Catalog {
  /// The epochs recorded for `run`, in epoch order.
  public func recordedEpochs(run: Run) throws -> [RecordedEpoch] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT epoch, sample_count, original_count, recorded_at FROM epochs
          WHERE run_id = ? ORDER BY epoch
          """, arguments: [run.id]
      ).map { row in
        RecordedEpoch(
          epoch: row["epoch"], sampleCount: row["sample_count"], originalCount: row["original_count"],
          recordedAt: row["recorded_at"])
      }
    }
  }

  /// Writes one drawn epoch of `run`: its `epochs` row and every block, in one transaction.
  ///
  /// Recording an epoch that is already recorded changes nothing (another process may have recorded
  /// it meanwhile: records are a pure function of the run, so both are the same).
  ///
  /// - Returns: `true` if the epoch was written, `false` if it was recorded already.
  @discardableResult
  public func writeEpoch(run: Run, _ epoch: EpochRecords) throws -> Bool {
    let now = Self.timestamp()
    return try write { db in
      if try Int.fetchOne(
        db, sql: "SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?", arguments: [run.id, epoch.epoch])
        != nil
      {
        return false
      }
      try db.execute(
        sql: """
          INSERT INTO epochs (run_id, epoch, sample_count, original_count, record_encoding, recorded_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          run.id, epoch.epoch, epoch.sampleCount, epoch.originalCount, Int(SampleRecord.encodingVersion), now,
        ])
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO record_blocks (run_id, epoch, block, count, positions, tensors, params)
          VALUES (?, ?, ?, ?, ?, NULL, ?)
          """)
      for block in epoch.blocks {
        try insert.execute(arguments: [
          run.id, epoch.epoch, block.block, block.count, Data(block.positions), Data(block.params),
        ])
      }
      return true
    }
  }

  /// One sample's records over the recorded epochs of `run` (all of them, or those in `epochs`),
  /// in epoch order: one point lookup per epoch.
  ///
  /// - Throws: `CatalogError.sampleOutOfRange` when the run's epochs have no such sample,
  ///   `CatalogError.epochNotRecorded` for an epoch in `epochs` that is not recorded,
  ///   `CatalogError.corruptRecords` when stored bytes do not decode.
  public func history(run: Run, sample: Int, epochs: [Int]? = nil) throws -> [StoredRecord] {
    try read { db in
      let recorded = try Self.epochCounts(db, run: run)
      let wanted = try Self.checkEpochs(epochs, recorded: recorded, run: run)
      let blockIndex = sample / RecordBlock.size
      let index = sample % RecordBlock.size
      var result: [StoredRecord] = []
      result.reserveCapacity(wanted.count)
      // Only the sample's ~30 bytes leave SQLite: the functions read the blobs in place.
      let lookup = try db.cachedStatement(
        sql: """
          SELECT augstore_u32(positions, ?), augstore_u32(tensors, ?), augstore_record(params, ?)
          FROM record_blocks WHERE run_id = ? AND epoch = ? AND block = ?
          """)
      let digestLookup = try db.cachedStatement(sql: "SELECT digest FROM tensors WHERE id = ?")
      for epoch in wanted {
        guard sample >= 0, let count = recorded[epoch], sample < count else {
          throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: recorded[epoch] ?? 0)
        }
        guard
          let row = try Row.fetchOne(lookup, arguments: [index, index, index, run.id, epoch, blockIndex]),
          let position = row[0] as Int?, let bytes = row[2] as Data?
        else {
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: blockIndex, reason: "block missing")
        }
        let record: SampleRecord
        do {
          record = try SampleRecord(encoded: [UInt8](bytes))
        } catch {
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: blockIndex, reason: "\(error)")
        }
        var digest: [UInt8]?
        if let id = row[1] as Int64?, id != 0 {
          digest = try Data.fetchOne(digestLookup, arguments: [id]).map { [UInt8]($0) }
        }
        result.append(
          StoredRecord(epoch: epoch, sample: sample, position: position, record: record, digest: digest))
      }
      return result
    }
  }

  /// The records of `samples` (indexes in the run's dataset version) in one recorded epoch, in the
  /// order given.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, `.sampleOutOfRange`, `.corruptRecords`.
  public func records(run: Run, epoch: Int, samples: [Int]) throws -> [StoredRecord] {
    try read { db in
      let count = try Self.sampleCount(db, run: run, epoch: epoch)
      // Each block is fetched once; `starts` holds where its records start, as far as walked.
      var cache: [Int: RecordBlock] = [:]
      var starts: [Int: [Int]] = [:]
      return try samples.map { sample in
        guard sample >= 0, sample < count else {
          throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: count)
        }
        let index = sample / RecordBlock.size
        let block: RecordBlock
        if let cached = cache[index] {
          block = cached
        } else {
          guard let fetched = try Self.fetchBlock(db, run: run, epoch: epoch, block: index) else {
            throw CatalogError.corruptRecords(
              run: run.name, epoch: epoch, block: index, reason: "block missing")
          }
          cache[index] = fetched
          block = fetched
        }
        return try Self.storedRecord(
          db, run: run, epoch: epoch, block: block, sample: sample, starts: &starts[index, default: []])
      }
    }
  }

  /// Block `block` of each of `epochs` (all recorded), in the order given: the records of samples
  /// `block * RecordBlock.size ..<` across epochs. Used to walk a run sample by sample.
  ///
  /// - Throws: `CatalogError.epochNotRecorded` or `.corruptRecords` when a block is missing.
  public func blocks(run: Run, block: Int, epochs: [Int]) throws -> [RecordBlock] {
    try read { db in
      try epochs.map { epoch in
        guard let found = try Self.fetchBlock(db, run: run, epoch: epoch, block: block) else {
          _ = try Self.sampleCount(db, run: run, epoch: epoch)
          throw CatalogError.corruptRecords(
            run: run.name, epoch: epoch, block: block, reason: "block missing")
        }
        return found
      }
    }
  }

  /// Calls `body` with block `b` of each of `epochs` (in the order given), for every block of the
  /// epochs in order, inside one read transaction: the run's records sample by sample.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, `.corruptRecords` when a block is missing, or what
  ///   `body` throws.
  public func forEachBlockAcrossEpochs(
    run: Run, epochs: [Int], _ body: ([RecordBlock]) throws -> Void
  ) throws {
    try read { db in
      guard let first = epochs.first else { return }
      for epoch in epochs { _ = try Self.sampleCount(db, run: run, epoch: epoch) }
      let count = try Self.sampleCount(db, run: run, epoch: first)
      for block in 0..<((count + RecordBlock.size - 1) / RecordBlock.size) {
        try body(
          epochs.map { epoch in
            guard let found = try Self.fetchBlock(db, run: run, epoch: epoch, block: block) else {
              throw CatalogError.corruptRecords(
                run: run.name, epoch: epoch, block: block, reason: "block missing")
            }
            return found
          })
      }
    }
  }

  /// Calls `body` with every block of one recorded epoch, in block order, inside one read transaction.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, or what `body` throws.
  public func forEachBlock(run: Run, epoch: Int, _ body: (RecordBlock) throws -> Void) throws {
    try read { db in
      _ = try Self.sampleCount(db, run: run, epoch: epoch)
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT block, count, positions, tensors, params FROM record_blocks
          WHERE run_id = ? AND epoch = ? ORDER BY block
          """, arguments: [run.id, epoch])
      while let row = try rows.next() { try body(Self.block(from: row)) }
    }
  }

  /// The order of one recorded epoch: `result[position]` is the sample visited at `position`.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`, or `.corruptRecords` if the positions are not a
  ///   permutation.
  public func epochOrder(run: Run, epoch: Int) throws -> [Int] {
    try read { db in
      let count = try Self.sampleCount(db, run: run, epoch: epoch)
      var order = EpochOrderBuilder(run: run.name, epoch: epoch, count: count)
      let rows = try Row.fetchCursor(
        db, sql: "SELECT block, positions FROM record_blocks WHERE run_id = ? AND epoch = ? ORDER BY block",
        arguments: [run.id, epoch])
      while let row = try rows.next() {
        try order.add(block: row["block"], positions: [UInt8](row["positions"] as Data? ?? Data()))
      }
      return try order.finish()
    }
  }

  /// Stores the digests of materialized tensors for samples of one recorded epoch (for the
  /// materializer).
  ///
  /// Each distinct digest is stored once in `tensors`; the epoch's record of each sample then refers
  /// to it, so `history`, `records(run:epoch:samples:)` and `tensorDigests` return it. Setting a
  /// digest again replaces the sample's reference. All of `digests` is written in one transaction.
  ///
  /// - Parameter digests: `(sample, digest)` pairs: sample = index in the run's dataset version,
  ///   digest = the 32-byte SHA-256 of the tensor's bytes.
  /// - Throws: `CatalogError.epochNotRecorded` (record the epoch first), `.sampleOutOfRange`,
  ///   `.invalidDigest` for a digest that is not 32 bytes.
  public func setTensorDigests(run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]) throws {
    try write { db in try Self.setTensorDigests(db, run: run, epoch: epoch, digests) }
  }

  /// Commits what the loader delivered in one transaction: the tensor digests recorded on first
  /// delivery, the decoded-original cache files written on the way (indexed only while their file
  /// is there, as in `recordCacheWrites(_:hits:misses:rebuilt:exists:)`), and the decoded-original
  /// entries read (their last use set to now).
  ///
  /// - Throws: what `setTensorDigests(run:epoch:_:)` throws.
  public func commitDelivery(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], exists: (CacheEntry) -> Bool
  ) throws {
    let now = Self.timestamp()
    try write { db in
      try Self.index(db, cacheWrites, exists: exists)
      try Self.touch(db, touched, now: now)
      if !digests.isEmpty { try Self.setTensorDigests(db, run: run, epoch: epoch, digests) }
    }
  }

  static func setTensorDigests(
    _ db: Database, run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]
  ) throws {
    let count = try Self.sampleCount(db, run: run, epoch: epoch)
    var byBlock: [Int: [(index: Int, id: Int64)]] = [:]
    let insert = try db.makeStatement(
      sql: "INSERT INTO tensors (digest) VALUES (?) ON CONFLICT (digest) DO NOTHING")
    let lookup = try db.makeStatement(sql: "SELECT id FROM tensors WHERE digest = ?")
    for (sample, digest) in digests {
      guard sample >= 0, sample < count else {
        throw CatalogError.sampleOutOfRange(run: run.name, sample: sample, count: count)
      }
      guard digest.count == 32 else {
        throw CatalogError.invalidDigest(
          run: run.name, epoch: epoch, sample: sample, byteCount: digest.count)
      }
      try insert.execute(arguments: [Data(digest)])
      guard let id = try Int64.fetchOne(lookup, arguments: [Data(digest)]), id <= Int64(UInt32.max) else {
        throw CatalogError.invalidDigest(
          run: run.name, epoch: epoch, sample: sample, byteCount: digest.count)
      }
      byBlock[sample / RecordBlock.size, default: []].append((sample % RecordBlock.size, id))
    }
    let update = try db.makeStatement(
      sql: "UPDATE record_blocks SET tensors = ? WHERE run_id = ? AND epoch = ? AND block = ?")
    for (blockIndex, entries) in byBlock.sorted(by: { $0.key < $1.key }) {
      let row = try Row.fetchOne(
        db, sql: "SELECT count, tensors FROM record_blocks WHERE run_id = ? AND epoch = ? AND block = ?",
        arguments: [run.id, epoch, blockIndex])
      guard let row else {
        throw CatalogError.corruptRecords(
          run: run.name, epoch: epoch, block: blockIndex, reason: "block missing")
      }
      let blockCount: Int = row["count"]
      var tensors = [UInt8](row["tensors"] as Data? ?? Data(count: blockCount * 4))
      if tensors.count != blockCount * 4 { tensors = [UInt8](repeating: 0, count: blockCount * 4) }
      for (index, id) in entries {
        let value = UInt32(truncatingIfNeeded: id)
        for byte in 0..<4 { tensors[index * 4 + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
      }
      try update.execute(arguments: [Data(tensors), run.id, epoch, blockIndex])
    }
  }

  /// How many samples of one recorded epoch have a stored digest (are materialized), whichever
  /// process stored them; the epoch is fully materialized when this equals its sample count.
  ///
  /// - Throws: `CatalogError.epochNotRecorded`.
  public func materializedCount(run: Run, epoch: Int) throws -> Int {
    try read { db in
      _ = try Self.sampleCount(db, run: run, epoch: epoch)
      let rows = try Row.fetchCursor(
        db,
        sql: "SELECT tensors FROM record_blocks WHERE run_id = ? AND epoch = ? AND tensors IS NOT NULL",
        arguments: [run.id, epoch])
      var count = 0
      while let row = try rows.next() {
        let tensors = [UInt8](row[0] as Data? ?? Data())
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
  public func tensorDigests(run: Run, epoch: Int, samples: [Int]? = nil) throws -> [Int: [UInt8]] {
    try read { db in
      _ = try Self.sampleCount(db, run: run, epoch: epoch)
      let wanted = samples.map(Set.init)
      var ids: [(sample: Int, id: Int64)] = []
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT block, tensors FROM record_blocks
          WHERE run_id = ? AND epoch = ? AND tensors IS NOT NULL ORDER BY block
          """, arguments: [run.id, epoch])
      while let row = try rows.next() {
        let block: Int = row["block"]
        let tensors = [UInt8](row["tensors"] as Data? ?? Data())
        for index in 0..<(tensors.count / 4) {
          let sample = block * RecordBlock.size + index
          guard wanted?.contains(sample) ?? true, let id = RecordBlock.u32(tensors, at: index), id != 0 else {
            continue
          }
          ids.append((sample, Int64(id)))
        }
      }
      var digests: [Int: [UInt8]] = [:]
      var known: [Int64: [UInt8]] = [:]
      let lookup = try db.makeStatement(sql: "SELECT digest FROM tensors WHERE id = ?")
      for (sample, id) in ids {
        if let digest = known[id] {
          digests[sample] = digest
        } else if let data = try Data.fetchOne(lookup, arguments: [id]) {
          known[id] = [UInt8](data)
          digests[sample] = [UInt8](data)
        }
      }
      return digests
    }
  }
}

extension Catalog {
  /// Sample count per recorded epoch of `run`.
  static func epochCounts(_ db: Database, run: Run) throws -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT epoch, sample_count FROM epochs WHERE run_id = ?", arguments: [run.id])
    {
      counts[row["epoch"]] = row["sample_count"]
    }
    return counts
  }

  /// `epochs` (or every recorded epoch, sorted) after checking each is recorded.
  static func checkEpochs(_ epochs: [Int]?, recorded: [Int: Int], run: Run) throws -> [Int] {
    guard let epochs else { return recorded.keys.sorted() }
    for epoch in epochs where recorded[epoch] == nil {
      throw CatalogError.epochNotRecorded(run: run.name, epoch: epoch)
    }
    return epochs
  }

  /// The sample count of a recorded epoch.
  static func sampleCount(_ db: Database, run: Run, epoch: Int) throws -> Int {
    guard
      let count = try Int.fetchOne(
        db, sql: "SELECT sample_count FROM epochs WHERE run_id = ? AND epoch = ?", arguments: [run.id, epoch])
    else {
      throw CatalogError.epochNotRecorded(run: run.name, epoch: epoch)
    }
    return count
  }

  static func fetchBlock(_ db: Database, run: Run, epoch: Int, block: Int) throws -> RecordBlock? {
    let statement = try db.cachedStatement(
      sql: """
        SELECT block, count, positions, tensors, params FROM record_blocks
        WHERE run_id = ? AND epoch = ? AND block = ?
        """)
    return try Row.fetchOne(statement, arguments: [run.id, epoch, block]).map(block(from:))
  }

  static func block(from row: Row) -> RecordBlock {
    RecordBlock(
      block: row["block"], count: row["count"], positions: [UInt8](row["positions"] as Data? ?? Data()),
      tensors: (row["tensors"] as Data?).map { [UInt8]($0) },
      params: [UInt8](row["params"] as Data? ?? Data()))
  }

  /// The record of `sample` in `block`; `starts` is where the block's records start as far as an
  /// earlier call walked them (see `RecordBlock.recordRange(at:starts:)`).
  static func storedRecord(
    _ db: Database, run: Run, epoch: Int, block: RecordBlock, sample: Int, starts: inout [Int]
  ) throws
    -> StoredRecord
  {
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
    var digest: [UInt8]?
    if let id = block.tensorId(at: index) {
      let lookup = try db.cachedStatement(sql: "SELECT digest FROM tensors WHERE id = ?")
      digest = try Data.fetchOne(lookup, arguments: [id]).map { [UInt8]($0) }
    }
    return StoredRecord(
      epoch: epoch, sample: sample, position: block.position(at: index), record: record, digest: digest)
  }
}

extension Catalog {
  /// Every sample of `version` in order with its image's size: what the recorder needs to draw.
  public func sampleImages(in version: DatasetVersion) throws -> [(path: String, width: Int, height: Int)] {
    try read { db in
      var result: [(path: String, width: Int, height: Int)] = []
      result.reserveCapacity(version.sampleCount)
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT s.path, o.width, o.height FROM samples s JOIN objects o ON o.hash = s.object_hash
          WHERE s.version_id = ? ORDER BY s.position
          """, arguments: [version.id])
      while let row = try rows.next() {
        result.append((path: row[0], width: row[1], height: row[2]))
      }
      return result
    }
  }

  /// The sample of `version` at index `position`, or `nil`.
  public func sample(in version: DatasetVersion, position: Int) throws -> Sample? {
    try read { db in
      try Sample.fetchOne(
        db,
        sql: "SELECT position, path, object_hash, label FROM samples WHERE version_id = ? AND position = ?",
        arguments: [version.id, position])
    }
  }

  /// The sample of `version` with this relative path, or `nil`.
  public func sample(in version: DatasetVersion, path: String) throws -> Sample? {
    try read { db in
      try Sample.fetchOne(
        db, sql: "SELECT position, path, object_hash, label FROM samples WHERE version_id = ? AND path = ?",
        arguments: [version.id, path])
    }
  }
}

extension Catalog {
  /// Copies the WAL into the database file and truncates the WAL (used to measure the catalog's size).
  package func checkpoint() throws {
    do {
      try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    } catch let error as DatabaseError {
      throw CatalogError.database(path: path, message: error.message ?? "\(error)")
    }
  }
}

import Foundation
import GRDB

extension Catalog {
  /// Records cache files that were written (or rewritten), and counts hits and misses, in one
  /// transaction.
  ///
  /// - Parameter exists: when given, asked inside the write transaction whether each entry's file is
  ///   there; entries whose file is gone are not indexed. Together with
  ///   ``removeUnindexedCacheFiles(_:remove:)`` this keeps a concurrent `cache gc` or `cache clear`
  ///   from leaving an index row without its file: both hold the catalog's write lock while they
  ///   decide, so a file is either removed before the writer looks (and not indexed) or indexed
  ///   before the remover looks (and kept).
  public func recordCacheWrites(
    _ entries: [CacheEntry], hits: Int = 0, misses: Int = 0, rebuilt: Int = 0,
    exists: ((CacheEntry) -> Bool)? = nil
  )
    throws
  {
    try write { db in
      try Self.index(db, entries, exists: exists ?? { _ in true })
      try Self.bumpCounters(db, hits: hits, misses: misses, rebuilt: rebuilt)
    }
  }

  /// Commits rendered tensors in one transaction: indexes the cache files written (those `exists`
  /// says are there, as in ``recordCacheWrites(_:hits:misses:rebuilt:exists:)``), sets the last use
  /// of the entries read to now, counts hits, misses and rebuilds, and stores the tensors' digests
  /// with their records (as ``setTensorDigests(run:epoch:_:)`` does).
  ///
  /// - Throws: what `setTensorDigests(run:epoch:_:)` throws; then nothing is committed.
  public func commitRendered(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], hits: Int, misses: Int, rebuilt: Int, exists: (CacheEntry) -> Bool
  ) throws {
    let now = Self.timestamp()
    try write { db in
      try Self.index(db, cacheWrites, exists: exists)
      try Self.touch(db, touched, now: now)
      try Self.bumpCounters(db, hits: hits, misses: misses, rebuilt: rebuilt)
      if !digests.isEmpty { try Self.setTensorDigests(db, run: run, epoch: epoch, digests) }
    }
  }

  /// Inserts (or replaces) the index entries whose file `exists` says is there.
  ///
  /// One prepared statement bound per entry: a run's first epoch indexes two entries per sample (the
  /// tensor and the decoded original), and encoding each through the record's `Codable` conformance
  /// (column names converted to snake case on every row) cost more than the inserts themselves.
  static func index(_ db: Database, _ entries: [CacheEntry], exists: (CacheEntry) -> Bool) throws {
    let insert = try db.cachedStatement(
      sql: """
        INSERT OR REPLACE INTO cache_entries (key, digest, size, created_at, last_used_at)
        VALUES (?, ?, ?, ?, ?)
        """)
    for entry in entries where exists(entry) {
      try insert.execute(
        arguments: [entry.key, entry.digest, entry.size, entry.createdAt, entry.lastUsedAt])
    }
  }

  /// Sets the last use of the entries with `keys` to `now`.
  static func touch(_ db: Database, _ keys: [Data], now: String) throws {
    let statement = try db.cachedStatement(sql: "UPDATE cache_entries SET last_used_at = ? WHERE key = ?")
    for key in keys {
      try statement.execute(arguments: [now, key])
    }
  }

  /// Marks entries as used now and counts the hits.
  public func touchCacheEntries(_ keys: [Data], hits: Int = 0, misses: Int = 0, rebuilt: Int = 0) throws {
    let now = Self.timestamp()
    try write { db in
      try Self.touch(db, keys, now: now)
      try Self.bumpCounters(db, hits: hits, misses: misses, rebuilt: rebuilt)
    }
  }

  /// The entries with these keys (unknown keys are left out).
  public func cacheEntries(keys: [Data]) throws -> [Data: CacheEntry] {
    try read { db in
      // Rows read by column index: decoding each through `Codable` (column names converted from
      // snake case on every row) cost more than the query on an epoch's worth of keys.
      var found: [Data: CacheEntry] = [:]
      for start in stride(from: 0, to: keys.count, by: 500) {
        let slice = Array(keys[start..<min(start + 500, keys.count)])
        let rows = try Row.fetchCursor(
          db,
          sql: """
            SELECT key, digest, size, created_at, last_used_at FROM cache_entries
            WHERE key IN (\(Array(repeating: "?", count: slice.count).joined(separator: ", ")))
            """, arguments: StatementArguments(slice))
        while let row = try rows.next() {
          let entry = CacheEntry(
            key: row[0], digest: row[1], size: row[2], createdAt: row[3], lastUsedAt: row[4])
          found[entry.key] = entry
        }
      }
      return found
    }
  }

  /// Every entry, least recently used first.
  public func cacheEntriesByAge() throws -> [CacheEntry] {
    try read { db in try CacheEntry.order(Column("last_used_at"), Column("key")).fetchAll(db) }
  }

  /// Removes entries from the index.
  public func deleteCacheEntries(_ keys: [Data]) throws {
    try write { db in
      for start in stride(from: 0, to: keys.count, by: 500) {
        _ = try CacheEntry.deleteAll(db, keys: Array(keys[start..<min(start + 500, keys.count)]))
      }
    }
  }

  /// Calls `remove` for each of `keys` that has no index entry, holding the catalog's write lock, so
  /// no writer indexes one of them in between (see `recordCacheWrites(_:hits:misses:rebuilt:exists:)`).
  /// Returns the keys removed.
  public func removeUnindexedCacheFiles(_ keys: [Data], remove: (Data) -> Void) throws -> [Data] {
    try write { db in
      var removed: [Data] = []
      for start in stride(from: 0, to: keys.count, by: 500) {
        let slice = Array(keys[start..<min(start + 500, keys.count)])
        let indexed = Set(try CacheEntry.filter(keys: slice).fetchAll(db).map(\.key))
        for key in slice where !indexed.contains(key) {
          remove(key)
          removed.append(key)
        }
      }
      return removed
    }
  }

  /// Entry count, bytes, and the hit, miss and rebuild counters.
  public func cacheTotals() throws -> CacheTotals {
    try read { db in
      let row = try Row.fetchOne(
        db, sql: "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM cache_entries")
      let counters = Dictionary(
        uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, value FROM cache_counters").map {
          ($0["name"] as String, $0["value"] as Int)
        })
      return CacheTotals(
        entries: row?["n"] ?? 0, bytes: row?["bytes"] ?? 0, hits: counters["hits"] ?? 0,
        misses: counters["misses"] ?? 0, rebuilt: counters["rebuilt"] ?? 0)
    }
  }

  private static func bumpCounters(_ db: Database, hits: Int, misses: Int, rebuilt: Int) throws {
    for (name, amount) in [("hits", hits), ("misses", misses), ("rebuilt", rebuilt)] where amount != 0 {
      try db.execute(
        sql: "UPDATE cache_counters SET value = value + ? WHERE name = ?", arguments: [amount, name])
    }
  }
}

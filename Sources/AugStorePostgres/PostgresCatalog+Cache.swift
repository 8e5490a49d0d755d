import AugStoreCatalog
import Foundation
import NIOCore
import PostgresNIO

extension PostgresCatalog {
  /// Keys bound per statement when a call names many cache entries.
  static let keysPerQuery = 10_000

  /// Records cache files that were written (or rewritten), and counts hits and misses, in one
  /// transaction.
  ///
  /// - Parameter exists: when given, asked inside the write transaction whether each entry's file is
  ///   there; entries whose file is gone are not indexed. Together with
  ///   ``removeUnindexedCacheFiles(_:remove:)`` this keeps a concurrent `cache gc` or `cache clear`
  ///   on another host from leaving an index row without its file: both hold the catalog's write
  ///   lock while they decide.
  public func recordCacheWrites(
    _ entries: [CacheEntry], hits: Int, misses: Int, rebuilt: Int, exists: ((CacheEntry) -> Bool)?
  ) throws {
    try write { session in
      try Self.index(session, entries, exists: exists ?? { _ in true })
      try Self.bumpCounters(session, hits: hits, misses: misses, rebuilt: rebuilt)
    }
  }

  /// Commits rendered tensors in one transaction: indexes the cache files written (those `exists`
  /// says are there), sets the last use of the entries read to now, counts hits, misses and
  /// rebuilds, and stores the tensors' digests with their records (as
  /// ``setTensorDigests(run:epoch:_:)`` does).
  ///
  /// - Throws: what `setTensorDigests(run:epoch:_:)` throws; then nothing is committed.
  public func commitRendered(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], hits: Int, misses: Int, rebuilt: Int, exists: (CacheEntry) -> Bool
  ) throws {
    let now = Catalog.timestamp()
    try write { session in
      try Self.index(session, cacheWrites, exists: exists)
      try Self.touch(session, touched, now: now)
      try Self.bumpCounters(session, hits: hits, misses: misses, rebuilt: rebuilt)
      if !digests.isEmpty { try Self.setTensorDigests(session, run: run, epoch: epoch, digests) }
    }
  }

  /// Marks entries as used now and counts the hits.
  public func touchCacheEntries(_ keys: [Data], hits: Int, misses: Int, rebuilt: Int) throws {
    let now = Catalog.timestamp()
    try write { session in
      try Self.touch(session, keys, now: now)
      try Self.bumpCounters(session, hits: hits, misses: misses, rebuilt: rebuilt)
    }
  }

  /// The entries with these keys (unknown keys are left out).
  public func cacheEntries(keys: [Data]) throws -> [Data: CacheEntry] {
    try read { session in
      var found: [Data: CacheEntry] = [:]
      for start in stride(from: 0, to: keys.count, by: Self.keysPerQuery) {
        let slice = Self.buffers(keys[start..<min(start + Self.keysPerQuery, keys.count)])
        for entry in try Self.entries(
          session,
          "SELECT key, digest, size, created_at, last_used_at FROM cache_entries WHERE key = ANY(\(slice))")
        {
          found[entry.key] = entry
        }
      }
      return found
    }
  }

  /// Every entry, least recently used first (ties by key; times compared byte by byte, as SQLite
  /// compares text).
  public func cacheEntriesByAge() throws -> [CacheEntry] {
    try read { session in
      try Self.entries(
        session,
        """
        SELECT key, digest, size, created_at, last_used_at FROM cache_entries
        ORDER BY last_used_at COLLATE "C", key
        """)
    }
  }

  /// Removes entries from the index.
  public func deleteCacheEntries(_ keys: [Data]) throws {
    try write { session in
      for start in stride(from: 0, to: keys.count, by: Self.keysPerQuery) {
        let slice = Self.buffers(keys[start..<min(start + Self.keysPerQuery, keys.count)])
        try session.query("DELETE FROM cache_entries WHERE key = ANY(\(slice))")
      }
    }
  }

  /// Calls `remove` for each of `keys` that has no index entry, holding the catalog's write lock, so
  /// no writer (on any host) indexes one of them in between. Returns the keys removed.
  public func removeUnindexedCacheFiles(_ keys: [Data], remove: (Data) -> Void) throws -> [Data] {
    try write { session in
      var removed: [Data] = []
      for start in stride(from: 0, to: keys.count, by: Self.keysPerQuery) {
        let slice = keys[start..<min(start + Self.keysPerQuery, keys.count)]
        let indexed = Set(
          try session.query("SELECT key FROM cache_entries WHERE key = ANY(\(Self.buffers(slice)))").map {
            try $0.decode(Data.self)
          })
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
    try read { session in
      let totals = try session.query(
        "SELECT count(*), coalesce(sum(size), 0)::bigint FROM cache_entries"
      ).first.map { try $0.decode((Int, Int).self) }
      var counters: [String: Int] = [:]
      for row in try session.query("SELECT name, value FROM cache_counters") {
        let (name, value) = try row.decode((String, Int).self)
        counters[name] = value
      }
      return CacheTotals(
        entries: totals?.0 ?? 0, bytes: totals?.1 ?? 0, hits: counters["hits"] ?? 0,
        misses: counters["misses"] ?? 0, rebuilt: counters["rebuilt"] ?? 0)
    }
  }
}

extension PostgresCatalog {
  /// Inserts (or replaces) the index entries whose file `exists` says is there; of several entries
  /// with one key, the last is kept (as one statement per entry would).
  static func index(_ session: PostgresSession, _ entries: [CacheEntry], exists: (CacheEntry) -> Bool) throws
  {
    var slot: [Data: Int] = [:]
    var kept: [CacheEntry] = []
    for entry in entries where exists(entry) {
      if let index = slot[entry.key] {
        kept[index] = entry
      } else {
        slot[entry.key] = kept.count
        kept.append(entry)
      }
    }
    for start in stride(from: 0, to: kept.count, by: keysPerQuery) {
      let slice = kept[start..<min(start + keysPerQuery, kept.count)]
      let keys = buffers(slice.map(\.key))
      let digests = buffers(slice.map(\.digest))
      let sizes = slice.map(\.size)
      let created = slice.map(\.createdAt)
      let used = slice.map(\.lastUsedAt)
      try session.query(
        """
        INSERT INTO cache_entries (key, digest, size, created_at, last_used_at)
        SELECT * FROM unnest(\(keys)::bytea[], \(digests)::bytea[], \(sizes)::bigint[], \(created)::text[], \
        \(used)::text[])
        ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, size = excluded.size,
          created_at = excluded.created_at, last_used_at = excluded.last_used_at
        """)
    }
  }

  /// Sets the last use of the entries with `keys` to `now`.
  static func touch(_ session: PostgresSession, _ keys: [Data], now: String) throws {
    for start in stride(from: 0, to: keys.count, by: keysPerQuery) {
      let slice = buffers(keys[start..<min(start + keysPerQuery, keys.count)])
      try session.query("UPDATE cache_entries SET last_used_at = \(now) WHERE key = ANY(\(slice))")
    }
  }

  /// Adds to the hit, miss and rebuild counters (a counter's row is created on its first use).
  static func bumpCounters(_ session: PostgresSession, hits: Int, misses: Int, rebuilt: Int) throws {
    for (name, amount) in [("hits", hits), ("misses", misses), ("rebuilt", rebuilt)] where amount != 0 {
      try session.query(
        """
        INSERT INTO cache_counters (name, value) VALUES (\(name), \(amount))
        ON CONFLICT (name) DO UPDATE SET value = cache_counters.value + excluded.value
        """)
    }
  }

  /// The cache entries a query's rows hold (key, digest, size, created_at, last_used_at).
  static func entries(_ session: PostgresSession, _ query: PostgresQuery) throws -> [CacheEntry] {
    try session.query(query).map { row in
      let (key, digest, size, createdAt, lastUsedAt) = try row.decode((Data, Data, Int, String, String).self)
      return CacheEntry(key: key, digest: digest, size: size, createdAt: createdAt, lastUsedAt: lastUsedAt)
    }
  }

  /// Keys as values PostgreSQL binds as a `bytea[]`.
  static func buffers<Keys: Collection<Data>>(_ keys: Keys) -> [ByteBuffer] {
    keys.map { ByteBuffer(bytes: $0) }
  }
}

import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import GRDB
import Testing

@testable import AugStoreCatalog

@Suite struct CacheIndexCatalogTests {
  static func entry(_ byte: UInt8, digestBytes: Int, size: Int, at time: String) -> CacheEntry {
    CacheEntry(
      key: Data(repeating: byte, count: 32), digest: Data((0..<digestBytes).map { UInt8($0) ^ byte }),
      size: size,
      createdAt: time, lastUsedAt: time)
  }

  /// Index rows read back equal through the catalog's key look-up (and, on SQLite, GRDB's record
  /// decoding); a second write of a key replaces its row; entries whose file is gone are not indexed.
  @Test(arguments: CatalogEngine.allCases, [1, 7, 499, 500, 501, 1203])
  func indexedEntriesReadBackWhole(engine: CatalogEngine, count: Int) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let first = (0..<count).map {
      Self.entry(UInt8($0 % 251), digestBytes: $0 % 2 == 0 ? 8 : 32, size: $0, at: "t0")
    }
    .enumerated().map { index, entry in
      var entry = entry
      entry.key.replaceSubrange(0..<2, with: [UInt8(index >> 8), UInt8(index & 0xFF)])
      return entry
    }
    let missing = Set(first.indices.filter { $0 % 5 == 3 }.map { first[$0].key })
    try catalog.recordCacheWrites(
      first, hits: 0, misses: 0, rebuilt: 0, exists: { !missing.contains($0.key) })
    var expected = first.filter { !missing.contains($0.key) }
    // Rewrite every other kept entry with a new digest, size and time.
    let rewritten = expected.indices.filter { $0 % 2 == 1 }.map { index -> CacheEntry in
      var entry = expected[index]
      entry.digest = Data(repeating: 0xAB, count: 32)
      entry.size += 1_000_000
      entry.createdAt = "t1"
      entry.lastUsedAt = "t1"
      expected[index] = entry
      return entry
    }
    try catalog.recordCacheWrites(rewritten, hits: 0, misses: 0, rebuilt: 0, exists: nil)
    let found = try catalog.cacheEntries(keys: first.map(\.key) + [Data(repeating: 0xFF, count: 32)])
    #expect(found.count == expected.count)
    for entry in expected { #expect(found[entry.key] == entry) }
    #expect(try catalog.cacheTotals().entries == expected.count)
    if let sqlite = catalog as? Catalog {
      let decoded = try sqlite.read { db in try CacheEntry.fetchAll(db) }
      #expect(Dictionary(uniqueKeysWithValues: decoded.map { ($0.key, $0) }) == found)
    }
  }

  /// Counters add up across calls; entries are listed least recently used first (ties by key),
  /// touched entries move to the end, deleted ones are gone, and the remover is called for exactly
  /// the keys the index does not hold, in the order given.
  @Test(arguments: CatalogEngine.allCases)
  func countersAgeOrderAndRemoval(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    #expect(try catalog.cacheTotals() == CacheTotals(entries: 0, bytes: 0, hits: 0, misses: 0, rebuilt: 0))
    let entries = [
      Self.entry(5, digestBytes: 32, size: 10, at: "2026-01-02T00:00:00Z"),
      Self.entry(3, digestBytes: 8, size: 20, at: "2026-01-01T00:00:00Z"),
      Self.entry(9, digestBytes: 32, size: 30, at: "2026-01-01T00:00:00Z"),
      Self.entry(1, digestBytes: 32, size: 40, at: "2026-01-03T00:00:00Z"),
    ]
    // Of two entries with one key in one call, the last is kept.
    var replaced = entries[3]
    replaced.size = 45
    try catalog.recordCacheWrites(entries + [replaced], hits: 2, misses: 3, rebuilt: 0, exists: nil)
    try catalog.recordCacheWrites([], hits: 1, misses: 0, rebuilt: 4, exists: nil)
    #expect(try catalog.cacheTotals() == CacheTotals(entries: 4, bytes: 105, hits: 3, misses: 3, rebuilt: 4))
    #expect(
      try catalog.cacheEntriesByAge().map(\.key) == [3, 9, 5, 1].map { Data(repeating: $0, count: 32) })

    try catalog.touchCacheEntries([entries[1].key], hits: 5, misses: 0, rebuilt: 0)
    let aged = try catalog.cacheEntriesByAge()
    #expect(aged.map(\.key) == [9, 5, 1, 3].map { Data(repeating: $0, count: 32) })
    #expect(aged[3].lastUsedAt > "2026-01-03" && aged[3].createdAt == entries[1].createdAt)
    #expect(try catalog.cacheTotals().hits == 8)

    try catalog.deleteCacheEntries([entries[0].key, Data(repeating: 0xEE, count: 32)])
    #expect(try catalog.cacheEntries(keys: entries.map(\.key)).count == 3)
    let asked = [7, 1, 5, 3, 8].map { Data(repeating: UInt8($0), count: 32) }
    var removed: [Data] = []
    let returned = try catalog.removeUnindexedCacheFiles(asked) { removed.append($0) }
    #expect(returned == [7, 5, 8].map { Data(repeating: $0, count: 32) } && removed == returned)
  }

  /// A commit whose digests are refused changes nothing: no entry indexed or touched, no counter
  /// bumped; the same commit for a recorded epoch stores all of it.
  @Test(arguments: CatalogEngine.allCases)
  func refusedCommitChangesNothing(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let run = try scratch.makeRun(samples: 10)
    let old = Self.entry(4, digestBytes: 32, size: 1, at: "t0")
    try catalog.recordCacheWrites([old], hits: 0, misses: 0, rebuilt: 0, exists: nil)
    let new = Self.entry(6, digestBytes: 32, size: 2, at: "t1")
    let digests: [(sample: Int, digest: [UInt8])] = [(3, [UInt8](repeating: 7, count: 32))]
    let totals = try catalog.cacheTotals()
    #expect(throws: CatalogError.epochNotRecorded(run: run.name, epoch: 0)) {
      try catalog.commitRendered(
        run: run, epoch: 0, digests: digests, cacheWrites: [new], touched: [old.key], hits: 1, misses: 1,
        rebuilt: 1, exists: { _ in true })
    }
    #expect(throws: CatalogError.epochNotRecorded(run: run.name, epoch: 0)) {
      try catalog.commitDelivery(
        run: run, epoch: 0, digests: digests, cacheWrites: [new], touched: [old.key], exists: { _ in true })
    }
    #expect(try catalog.cacheTotals() == totals)
    #expect(try catalog.cacheEntriesByAge() == [old])

    var builder = RecordBlockBuilder(block: 0, expectedCount: 10)
    for sample in 0..<10 {
      builder.append(position: sample, record: SampleRecord(original: true, params: []))
    }
    try catalog.writeEpoch(
      run: run, EpochRecords(epoch: 0, sampleCount: 10, originalCount: 10, blocks: [builder.block]))
    try catalog.commitRendered(
      run: run, epoch: 0, digests: digests, cacheWrites: [new], touched: [old.key], hits: 1, misses: 1,
      rebuilt: 1, exists: { _ in true })
    #expect(try catalog.cacheTotals() == CacheTotals(entries: 2, bytes: 3, hits: 1, misses: 1, rebuilt: 1))
    #expect(try catalog.cacheEntries(keys: [old.key])[old.key]?.lastUsedAt != "t0")
    #expect(try catalog.tensorDigests(run: run, epoch: 0) == [3: digests[0].digest])
    try catalog.commitDelivery(
      run: run, epoch: 0, digests: [(4, digests[0].digest)], cacheWrites: [], touched: [],
      exists: { _ in true })
    #expect(try catalog.materializedCount(run: run, epoch: 0) == 2)
  }
}

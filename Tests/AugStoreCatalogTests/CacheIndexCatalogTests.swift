import AugStoreTestSupport
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

  /// Index rows written in one statement per entry read back equal, through both the catalog's key
  /// look-up and GRDB's record decoding; a second write of a key replaces its row; entries whose file
  /// is gone are not indexed.
  @Test(arguments: [1, 7, 499, 500, 501, 1203])
  func indexedEntriesReadBackWhole(count: Int) throws {
    let folder = try TemporaryDirectory()
    let catalog = try Catalog(path: folder.appending("catalog.sqlite"))
    let first = (0..<count).map {
      Self.entry(UInt8($0 % 251), digestBytes: $0 % 2 == 0 ? 8 : 32, size: $0, at: "t0")
    }
    .enumerated().map { index, entry in
      var entry = entry
      entry.key.replaceSubrange(0..<2, with: [UInt8(index >> 8), UInt8(index & 0xFF)])
      return entry
    }
    let missing = Set(first.indices.filter { $0 % 5 == 3 }.map { first[$0].key })
    try catalog.write { db in try Catalog.index(db, first, exists: { !missing.contains($0.key) }) }
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
    try catalog.write { db in try Catalog.index(db, rewritten, exists: { _ in true }) }
    let found = try catalog.cacheEntries(keys: first.map(\.key) + [Data(repeating: 0xFF, count: 32)])
    #expect(found.count == expected.count)
    for entry in expected { #expect(found[entry.key] == entry) }
    let decoded = try catalog.read { db in try CacheEntry.fetchAll(db) }
    #expect(Dictionary(uniqueKeysWithValues: decoded.map { ($0.key, $0) }) == found)
  }
}

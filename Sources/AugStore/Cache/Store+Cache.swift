import AugStoreCatalog
import Foundation

/// What `cache gc` or `cache clear` removed.
public struct CacheCleanup: Sendable, Equatable, Codable {
  /// Entries removed.
  public var removedEntries: Int
  /// Bytes freed.
  public var freedBytes: Int
  /// Entries left.
  public var remainingEntries: Int
  /// Bytes left.
  public var remainingBytes: Int

  enum CodingKeys: String, CodingKey {
    case removedEntries = "removed_entries"
    case freedBytes = "freed_bytes"
    case remainingEntries = "remaining_entries"
    case remainingBytes = "remaining_bytes"
  }
}

extension Store {
  /// Entries, bytes, hits, misses and rebuilds of the tensor cache.
  public func cacheStats() throws -> CacheTotals {
    try catalog.cacheTotals()
  }

  /// Removes least recently used entries until the cache holds at most `maxBytes`.
  ///
  /// Each entry leaves the index first and its file second, so a crash in between leaves at most
  /// an unindexed file (which `clear` and `verify` find), never an index row without its bytes
  /// being checked. A file is removed only if it is still unindexed under the catalog's write lock:
  /// a concurrent `materialize` that wrote the same key again in between keeps its file. Records
  /// keep their digests: a removed tensor is rebuilt on replay.
  public func collectCacheGarbage(maxBytes: Int) throws -> CacheCleanup {
    let entries = try catalog.cacheEntriesByAge()
    var total = entries.reduce(0) { $0 + $1.size }
    var removed: [CacheEntry] = []
    for entry in entries where total > maxBytes {
      removed.append(entry)
      total -= entry.size
    }
    try catalog.deleteCacheEntries(removed.map(\.key))
    let cache = self.cache
    _ = try catalog.removeUnindexedCacheFiles(removed.map(\.key)) { cache.remove(key: Array($0)) }
    return CacheCleanup(
      removedEntries: removed.count, freedBytes: removed.reduce(0) { $0 + $1.size },
      remainingEntries: entries.count - removed.count, remainingBytes: total)
  }

  /// Removes every cached tensor, indexed or not.
  ///
  /// Files go only once they are unindexed under the catalog's write lock (as in
  /// ``collectCacheGarbage(maxBytes:)``): what a concurrent `materialize` indexes meanwhile stays.
  public func clearCache() throws -> CacheCleanup {
    let entries = try catalog.cacheEntriesByAge()
    try catalog.deleteCacheEntries(entries.map(\.key))
    var sizes: [Data: Int] = [:]
    for folder in (try? FileManager.default.contentsOfDirectory(atPath: cache.root)) ?? [] {
      let path = cache.root + "/" + folder
      for file in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
        guard file.hasSuffix(".npy"), let key = TensorCache.key(hex: folder + file.dropLast(4)) else {
          FileIO.remove(path + "/" + file)
          continue
        }
        var info = stat()
        if stat(path + "/" + file, &info) == 0 { sizes[key] = Int(info.st_size) }
      }
    }
    let cache = self.cache
    let removed = try catalog.removeUnindexedCacheFiles(Array(sizes.keys)) { cache.remove(key: Array($0)) }
    let freed = removed.reduce(0) { $0 + (sizes[$1] ?? 0) }
    for folder in (try? FileManager.default.contentsOfDirectory(atPath: cache.root)) ?? [] {
      // Only empty folders go: a file indexed meanwhile keeps its folder.
      rmdir(cache.root + "/" + folder)
    }
    return CacheCleanup(
      removedEntries: entries.count, freedBytes: freed, remainingEntries: 0, remainingBytes: 0)
  }
}

import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStore

@Suite struct CacheAndVerifyTests {
  let folder: TemporaryDirectory
  let store: Store

  init() throws {
    folder = try TemporaryDirectory()
    store = try Store.initialize(at: folder.appending("store")).store
  }

  /// Writes `count` cache entries of `size` bytes each, the oldest first.
  func fillCache(count: Int, size: Int) throws -> [[UInt8]] {
    var keys: [[UInt8]] = []
    for index in 0..<count {
      let key = TensorCache.key(
        object: "o\(index)", pipelineFingerprint: "p", record: [UInt8(index)], decoder: .current)
      let bytes = [UInt8](repeating: UInt8(index), count: size)
      try store.cache.write(key: key, bytes: bytes)
      let when = "2026-01-01T00:00:\(String(format: "%02d", index))Z"
      try store.catalog.recordCacheWrites(
        [
          CacheEntry(
            key: Data(key), digest: Data(TensorCache.digest(bytes)), size: size, createdAt: when,
            lastUsedAt: when)
        ],
        hits: 0, misses: 1, rebuilt: 0, exists: nil)
      keys.append(key)
    }
    return keys
  }

  @Test func cacheReadsCheckTheDigestAndDropDamagedFiles() throws {
    let keys = try fillCache(count: 2, size: 100)
    let digest = TensorCache.digest([UInt8](repeating: 0, count: 100))
    #expect(store.cache.read(key: keys[0], digest: digest) == .hit([UInt8](repeating: 0, count: 100)))
    var damaged = try Files.read(store.cache.path(of: keys[0]))
    damaged[50] ^= 0x01
    try Files.write(damaged, to: store.cache.path(of: keys[0]))
    #expect(store.cache.read(key: keys[0], digest: digest) == .damaged)
    #expect(store.cache.read(key: keys[0], digest: digest) == .missing)
    #expect(Files.list(store.root + "/tmp").isEmpty)
  }

  @Test func writesAreReadOnlyCompleteAndReplaceWhatWasThere() throws {
    let key = TensorCache.key(object: "o", pipelineFingerprint: "p", record: [7], decoder: .current)
    let bytes = [UInt8](repeating: 5, count: 70_000)
    try store.cache.write(key: key, bytes: bytes)
    let path = store.cache.path(of: key)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o444)
    // A second write of the key (a rebuild) replaces the file, whatever it held.
    let other = [UInt8](repeating: 9, count: 10)
    try store.cache.write(key: key, bytes: other)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(other))
    // Nothing staged is left anywhere in the store.
    let leftovers = try FileManager.default.subpathsOfDirectory(atPath: folder.appending("store"))
      .filter { $0.hasPrefix("tmp/") || $0.contains("partial") }
    #expect(leftovers.isEmpty)
  }

  /// The two orders in which `cache gc` (index row out, then file) and a `materialize` that writes
  /// the same key again (file, then index row) can interleave: neither leaves a row without its file.
  @Test func gcAndAConcurrentRewriteNeverLeaveARowWithoutItsFile() throws {
    let keys = try fillCache(count: 2, size: 10).map { Data($0) }
    let cache = store.cache
    let entry = try #require(try store.catalog.cacheEntries(keys: keys)[keys[0]])
    let exists: (CacheEntry) -> Bool = { FileIO.kind(cache.path(of: Array($0.key))) == .file }

    // gc takes the row out; the writer rewrites and indexes the file before gc removes files.
    try store.catalog.deleteCacheEntries([keys[0]])
    try store.catalog.recordCacheWrites([entry], hits: 0, misses: 0, rebuilt: 0, exists: exists)
    let removed = try store.catalog.removeUnindexedCacheFiles([keys[0]]) { cache.remove(key: Array($0)) }
    #expect(removed.isEmpty)
    #expect(FileIO.kind(cache.path(of: Array(keys[0]))) == .file)

    // gc takes the row out and removes the file before the writer indexes it: no row.
    try store.catalog.deleteCacheEntries([keys[1]])
    let second = try store.catalog.removeUnindexedCacheFiles([keys[1]]) { cache.remove(key: Array($0)) }
    #expect(second == [keys[1]])
    let stale = CacheEntry(key: keys[1], digest: entry.digest, size: 10, createdAt: "x", lastUsedAt: "x")
    try store.catalog.recordCacheWrites([stale], hits: 0, misses: 0, rebuilt: 0, exists: exists)
    #expect(try store.catalog.cacheEntries(keys: [keys[1]]).isEmpty)
    #expect(try store.verify().isClean)
  }

  @Test func clearKeepsNothingButLeavesNoRowBehind() throws {
    _ = try fillCache(count: 3, size: 10)
    try FileIO.makeDirectory(store.cache.root + "/ab")
    try FileIO.write([1, 2, 3], to: store.cache.root + "/ab/stray-file")
    let cleanup = try store.clearCache()
    #expect(cleanup.removedEntries == 3 && cleanup.freedBytes == 30)
    #expect(Files.list(store.cache.root).isEmpty)
    #expect(try store.verify().isClean)
  }

  @Test func gcRemovesTheLeastRecentlyUsedFirst() throws {
    let keys = try fillCache(count: 5, size: 1000)
    try store.catalog.touchCacheEntries([Data(keys[0])], hits: 1, misses: 0, rebuilt: 0)
    let cleanup = try store.collectCacheGarbage(maxBytes: 2500)
    #expect(cleanup.removedEntries == 3 && cleanup.remainingBytes == 2000 && cleanup.freedBytes == 3000)
    let left = try store.catalog.cacheEntries(keys: keys.map { Data($0) })
    #expect(Set(left.keys) == [Data(keys[0]), Data(keys[4])])
    for (index, key) in keys.enumerated() {
      #expect(FileManager.default.fileExists(atPath: store.cache.path(of: key)) == (index == 0 || index == 4))
    }
    let totals = try store.cacheStats()
    #expect(totals.entries == 2 && totals.bytes == 2000 && totals.hits == 1 && totals.misses == 5)
    #expect(try store.collectCacheGarbage(maxBytes: 2500).removedEntries == 0)
  }

  @Test func clearRemovesEverything() throws {
    _ = try fillCache(count: 3, size: 10)
    let cleanup = try store.clearCache()
    #expect(cleanup.removedEntries == 3 && cleanup.freedBytes == 30)
    #expect(Files.list(store.cache.root).isEmpty)
    #expect(try store.cacheStats().entries == 0)
  }

  @Test func verifyNamesDamagedObjectsAndCacheEntries() throws {
    let source = folder.appending("images")
    try ImageFolder.make(at: source, classes: 1, perClass: 3)
    _ = try store.addDataset(named: "d", from: source)
    let keys = try fillCache(count: 2, size: 64)
    #expect(try store.verify().isClean)

    let object = try store.samples(of: DatasetReference(parsing: "d"))[1].objectHash
    var bytes = try Files.read(store.objects.path(of: object))
    bytes[bytes.count / 2] ^= 0x10
    try Files.write(bytes, to: store.objects.path(of: object))
    var cached = try Files.read(store.cache.path(of: keys[1]))
    cached[0] ^= 0xFF
    try Files.write(cached, to: store.cache.path(of: keys[1]))
    try FileManager.default.removeItem(atPath: store.cache.path(of: keys[0]))

    let report = try store.verify()
    #expect(report.objectsChecked == 3 && report.cacheEntriesChecked == 2)
    #expect(
      report.problems.map(\.kind).sorted() == ["cache_damaged", "cache_missing", "object_damaged"])
    #expect(report.problems.contains { $0.path == store.objects.path(of: object) })
    #expect(report.problems.contains { $0.path == store.cache.path(of: keys[1]) })
  }

  @Test(arguments: [
    ("500MB", 500_000_000), ("2GiB", 2_147_483_648), ("0", 0), ("1.5k", 1500), ("12 kb", 12_000),
  ])
  func sizesParse(text: String, bytes: Int) {
    #expect(ByteSize(parsing: text)?.bytes == bytes)
  }

  @Test(arguments: ["", "-1", "12 parsecs", "MB"])
  func nonSizesAreRefused(text: String) {
    #expect(ByteSize(parsing: text) == nil)
  }
}

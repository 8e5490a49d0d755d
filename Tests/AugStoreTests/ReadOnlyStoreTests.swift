import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStore

/// `Store(readingOnly:)`, which `augstore serve` uses: reads work, writes are refused, and tensors
/// missing from the cache are rendered without writing them.
@Suite struct ReadOnlyStoreTests {
  @Test func aReadOnlyStoreRendersWithoutWritingAndRefusesWrites() throws {
    let folder = try TemporaryDirectory()
    let writable = try MaterializeTests.materialized(jobs: 2, in: folder, name: "store")
    _ = try writable.record(run: "r", epochs: EpochSelection([3]))
    let root = writable.root
    let catalogBytes = try Files.read(root + "/catalog.sqlite")
    // SQLite's shared-memory index and log of the WAL catalog come and go with its readers.
    let transient: Set<String> = ["catalog.sqlite-shm", "catalog.sqlite-wal"]
    let files = Files.list(root).filter { !transient.contains($0) }

    let store = try Store(readingOnly: root)
    #expect(store.isReadOnly)
    let details = try store.runDetails(named: "r")
    let renderer = try Renderer(store: store, details: details)
    let sample = try #require(try store.catalog.sample(in: details.version, position: 5))
    // Epoch 3 is recorded, not materialized: rendered from the original, in memory only.
    let fresh = try store.displayedTensor(details: details, renderer: renderer, epoch: 3, sample: sample)
    let cached = try store.displayedTensor(details: details, renderer: renderer, epoch: 1, sample: sample)
    #expect(fresh.height == 16 && fresh.width == 18)
    #expect(cached.height == 16 && cached.width == 18)
    #expect(
      try store.recordsInOrder(run: "r", epoch: 3, positions: 0..<5).map(\.position) == [0, 1, 2, 3, 4])
    #expect(try store.neverOriginal(run: "r").count == 40)
    #expect(throws: (any Error).self) { try store.record(run: "r", epochs: EpochSelection([4])) }
    #expect(throws: (any Error).self) { try store.materialize(run: "r", epochs: EpochSelection([3])) }

    #expect(Files.list(root).filter { !transient.contains($0) } == files)
    #expect(try Files.read(root + "/catalog.sqlite") == catalogBytes)
    #expect(try store.catalog.recordedEpochs(run: details.run).map(\.epoch) == [0, 1, 2, 3])
  }

  @Test func aMissingStoreIsNamed() throws {
    let folder = try TemporaryDirectory()
    #expect(throws: StoreError.storeNotFound(path: folder.appending("none"))) {
      try Store(readingOnly: folder.appending("none"))
    }
    #expect(!FileManager.default.fileExists(atPath: folder.appending("none")))
  }
}

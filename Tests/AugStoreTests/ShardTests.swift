import AugStoreTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AugStore

/// Which samples a `materialize --shard I/N` owns.
@Suite struct ShardTests {
  @Test(arguments: [1, 2, 3, 4, 7, 64])
  func everySampleBelongsToExactlyOneShard(count: Int) throws {
    for sampleCount in [0, 1, 2, 5, 63, 64, 65, 1000] {
      var owners = [Int](repeating: 0, count: sampleCount)
      var total = 0
      for index in 0..<count {
        let shard = try Shard(index: index, count: count)
        let share = shard.sampleCount(of: sampleCount)
        total += share
        for n in 0..<share {
          let sample = shard.sample(n)
          #expect(shard.owns(sample: sample))
          owners[sample] += 1
        }
        // Shares differ by at most one sample.
        #expect(share == sampleCount / count || share == sampleCount / count + 1)
      }
      #expect(total == sampleCount)
      #expect(owners.allSatisfy { $0 == 1 }, "\(sampleCount) samples in \(count) shards")
    }
  }

  @Test func parsingReadsIndexAndCount() throws {
    let shard = try Shard(parsing: "2/5")
    #expect(shard.index == 2 && shard.count == 5)
    #expect(shard.description == "2/5")
    #expect(try Shard(parsing: "0/1") == .whole)
    #expect(Array((0..<4).map(shard.sample)) == [2, 7, 12, 17])
  }

  @Test(arguments: [
    ("3/3", "shard 3 does not exist: shards of 3 are 0/3 to 2/3"),
    ("1/0", "the shard count must be at least 1"),
    ("-1/2", "\"-1\" is not a whole number (shard numbers are not negative)"),
    ("a/b", "\"a\" is not a whole number (shard numbers are not negative)"),
    ("1", "not of the form I/N"),
    ("99999999999999999999/2", "\"99999999999999999999\" is too large"),
  ])
  func badTextIsRefusedNamingIt(text: String, reason: String) {
    #expect(throws: StoreError.invalidShard(text: text, reason: reason)) { try Shard(parsing: text) }
  }

  /// Four shards on four connections of their own commit in chunks of two samples at once: every
  /// commit rewrites the epoch's one record block (40 samples), so a commit that did not read the
  /// block inside its write transaction would drop the digests another shard had just stored.
  @Test func shardsCommittingSmallChunksAtOnceLoseNoDigest() throws {
    let folder = try TemporaryDirectory()
    let whole = try MaterializeTests.materialized(jobs: 1, in: folder, name: "whole")
    let root = folder.appending("sharded")
    let setUp = try Store.initialize(at: root).store
    _ = try setUp.addDataset(named: "d", from: folder.appending("images"))
    _ = try setUp.addPipeline(named: "p", specJSON: Array(MaterializeTests.spec.utf8), source: "spec.json")
    _ = try setUp.createRun(
      named: "r", dataset: DatasetReference(parsing: "d"), pipeline: PipelineReference(parsing: "p"),
      seed: 99, shuffle: true)
    _ = try setUp.record(run: "r", epochs: EpochSelection([0, 1, 2]))
    let stores = try (0..<4).map { _ in try Store(opening: root) }
    let failures = Mutex<[String]>([])
    let shares = Mutex<[Int]>([])
    DispatchQueue.concurrentPerform(iterations: 4) { index in
      do {
        let summary = try stores[index].materialize(
          run: "r", epochs: EpochSelection([0, 1, 2]), jobs: 1, shard: Shard(index: index, count: 4),
          chunk: 2,
          progress: nil)
        shares.withLock { $0 += summary.epochs.map(\.samples) }
      } catch {
        failures.withLock { $0.append("shard \(index): \(error)") }
      }
    }
    #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
    #expect(shares.withLock { $0 }.reduce(0, +) == 3 * 40)
    #expect(try MaterializeTests.digests(setUp) == MaterializeTests.digests(whole))
    let run = try setUp.catalog.run(named: "r")
    #expect(try (0...2).map { try setUp.catalog.materializedCount(run: run, epoch: $0) } == [40, 40, 40])
  }
}

import AugStore
import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

/// `stats --json` and `history --json` print exactly what earlier augstore versions printed (the files
/// under Tests/Fixtures were written by the release before statistics took one pass), on an old
/// store that is migrated on open and on a run large enough for the histograms' edge windows.
@Suite struct StatsJSONCLITests {
  static let fixtures = Files.repositoryRoot + "/Tests/Fixtures"

  static func expected(_ name: String) throws -> String {
    String(decoding: try Files.read(fixtures + "/" + name), as: UTF8.self)
  }

  @Test func anOldStorePrintsTheSameJSONAfterItsMigration() throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store-v5")
    try FileManager.default.copyItem(atPath: Self.fixtures + "/store-v5", toPath: store)
    let stats = try CLI.run(["stats", "r", "--json", "--store", store])
    #expect(stats.status == 0, "\(stats.stderr)")
    #expect(stats.stdout == (try Self.expected("store-v5.stats.json")))
    let history = try CLI.run(["history", "r", "--sample", "1", "--json", "--store", store])
    #expect(history.status == 0, "\(history.stderr)")
    #expect(history.stdout == (try Self.expected("store-v5.history-1.json")))

    // Migrated now: queries open the catalog read-only and leave its file as it was.
    let catalog = store + "/catalog.sqlite"
    let before = try Files.read(catalog)
    #expect(try CLI.run(["history", "r", "--sample", "2", "--store", store]).status == 0)
    #expect(try CLI.run(["stats", "r", "--store", store]).status == 0)
    #expect(try Files.read(catalog) == before)
  }

  /// The catalog benchmark's synthetic run (Tools/catalog-bench) at 20,000 samples × 16 epochs:
  /// 320,000 records, so every parameter's histogram goes through its edge windows.
  @Test func aLargeRunPrintsTheSameJSON() throws {
    let folder = try TemporaryDirectory()
    let root = folder.appending("store")
    let store = try Store.initialize(at: root).store
    let object = StoredObject(
      hash: String(repeating: "ab", count: 32), size: 150_000, width: 224, height: 224, channels: 3,
      createdAt: "2025-01-01T00:00:00Z")
    let samples = (0..<20_000).map { index in
      NewSample(
        path: "n\(String(format: "%08d", index % 1000))/img_\(String(format: "%08d", index)).png",
        objectHash: object.hash, label: "n\(index % 1000)")
    }
    _ = try store.catalog.commitVersion(
      NewVersion(
        datasetName: "imagenet", message: nil, contentDigest: "synthetic", objects: [object], samples: samples
      ))
    let spec = """
      {"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
      {"type": "RandomZoom", "height_factor": 0.1}, {"type": "RandomCrop", "height": 200, "width": 200},
      {"type": "RandomContrast", "factor": [0.2, 0.2]}]}
      """
    _ = try store.addPipeline(named: "realistic", specJSON: Array(spec.utf8), source: "bench")
    _ = try store.createRun(
      named: "bench", dataset: DatasetReference(parsing: "imagenet@v1"),
      pipeline: PipelineReference(parsing: "realistic"), seed: 2024, shuffle: true)
    _ = try store.record(run: "bench", epochs: EpochSelection(Array(0..<16)))
    let stats = try CLI.run(["stats", "bench", "--json", "--store", root])
    #expect(stats.status == 0, "\(stats.stderr)")
    #expect(stats.stdout == (try Self.expected("synthetic-20000x16.stats.json")))
  }
}

import AugStoreCatalog
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

@testable import AugStore

@Suite struct SampleTableTests {
  /// A store with one dataset version added from `files` (relative path → PNG seed).
  static func version(
    _ files: [String: Int], labels: LabelMode, in folder: TemporaryDirectory
  ) throws -> (Store, DatasetVersion) {
    let images = folder.appending("images")
    for (path, seed) in files {
      try Files.write(
        try ImageFolder.png(seed: seed, width: 9 + seed % 5, height: 7), to: images + "/" + path)
    }
    let store = try Store.initialize(at: folder.appending("store")).store
    let added = try store.addDataset(named: "d", from: images, options: DatasetAddOptions(labels: labels))
    return (store, added.version)
  }

  @Test func holdsWhatTheCatalogListsWithTheSameClassIndexesAsReplay() throws {
    let folder = try TemporaryDirectory()
    let files = [
      "zebra/b.png": 1, "zebra/a.png": 2, "Ähre/ü-ß.png": 3, "apple/x y.png": 4, "apple/z.png": 1,
      "Apple/long-\(String(repeating: "n", count: 200)).png": 5,
    ]
    let (store, version) = try Self.version(files, labels: .folders, in: folder)
    let samples = try store.catalog.samples(in: version)
    let table = try SampleTable(catalog: store.catalog, version: version, withSizes: true)
    let classes = ClassIndex(samples)
    #expect(table.count == files.count && samples.count == files.count)
    #expect(table.labels == classes.labels && table.labels.count == 4)
    for sample in samples {
      #expect(table.paths[sample.position] == sample.path)
      #expect(table.objects[sample.position] == sample.objectHash)
      #expect(table.classIndex(sample.position) == classes.index(of: sample.label))
      #expect(
        table.sizes[sample.position] == ImageSize(height: 7, width: 9 + files[sample.path, default: 0] % 5))
    }
    #expect(try SampleTable(catalog: store.catalog, version: version).sizes.isEmpty)
  }

  @Test func unlabelledSamplesHaveClassMinusOne() throws {
    let folder = try TemporaryDirectory()
    let (store, version) = try Self.version(["a.png": 1, "b/c.png": 2], labels: .none, in: folder)
    let table = try SampleTable(catalog: store.catalog, version: version)
    #expect(table.labels.isEmpty)
    #expect((0..<table.count).map(table.classIndex) == [-1, -1])
    #expect((0..<table.count).map { table.paths[$0] } == ["a.png", "b/c.png"])
  }

  @Test func stringTableKeepsEmptyAndMultibyteStrings() {
    let strings = ["", "a", "", "Ähre/ü-ß.png", String(repeating: "x", count: 1000), "日本"]
    var table = StringTable()
    for string in strings { table.append(string) }
    #expect(table.count == strings.count)
    #expect((0..<table.count).map { table[$0] } == strings)
  }
}

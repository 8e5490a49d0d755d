import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStoreCatalog

/// Datasets, versions, samples, objects and tags, on each engine.
@Suite struct DatasetCatalogTests {
  static func object(_ hash: Character, size: Int = 10, width: Int = 2) -> StoredObject {
    StoredObject(
      hash: String(repeating: hash, count: 64), size: size, width: width, height: 3, channels: 3,
      createdAt: "t")
  }

  static func version(_ name: String, digest: String, samples: [(String, Character, String?)]) -> NewVersion {
    NewVersion(
      datasetName: name, message: nil, contentDigest: digest,
      objects: Set(samples.map(\.1)).sorted().map { object($0) },
      samples: samples.map {
        NewSample(path: $0.0, objectHash: String(repeating: $0.1, count: 64), label: $0.2)
      })
  }

  /// The single integer a `SELECT count(*) …` returns, through `augstore sql`'s query.
  static func count(_ catalog: any CatalogBackend, _ sql: String) throws -> Int64? {
    guard case .integer(let number) = try catalog.query(readOnlySQL: sql).rows.first?.first else {
      return nil
    }
    return number
  }

  /// Bytewise order, as SQLite sorts text.
  static func bytewise(_ names: [String]) -> [String] {
    names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
  }

  @Test(arguments: CatalogEngine.allCases)
  func versionsAreNumberedAndUnchangedContentAddsNone(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let first = try catalog.commitVersion(
      Self.version("cats", digest: "d1", samples: [("a.png", "a", "x"), ("b.png", "b", nil)]))
    guard case .created(let v1) = first else {
      Issue.record("expected a new version, got \(first)")
      return
    }
    #expect(v1.number == 1 && v1.sampleCount == 2 && v1.totalBytes == 20)
    let again = try catalog.commitVersion(Self.version("cats", digest: "d1", samples: [("a.png", "a", "x")]))
    #expect(again == .unchanged(v1))
    let second = try catalog.commitVersion(Self.version("cats", digest: "d2", samples: [("a.png", "a", "x")]))
    guard case .created(let v2) = second else {
      Issue.record("expected v2, got \(second)")
      return
    }
    #expect(v2.number == 2)
    let dataset = try catalog.dataset(named: "cats")
    #expect(try catalog.versions(of: dataset) == [v1, v2])
    #expect(try catalog.version(of: dataset, .latest) == v2)
    #expect(try catalog.version(of: dataset, .number(1)) == v1)
    #expect(try catalog.samples(in: v1).map(\.path) == ["a.png", "b.png"])
    #expect(try catalog.samples(in: v1).map(\.position) == [0, 1])
    let labels = try catalog.labelCounts(in: v1)
    #expect(labels.map(\.label) == [nil, "x"] && labels.map(\.count) == [1, 1])
    let byId = try catalog.datasetVersion(id: try #require(v2.id))
    #expect(byId.0 == dataset && byId.1 == v2)
    #expect(throws: CatalogError.datasetNotFound(name: "#999")) { try catalog.datasetVersion(id: 999) }
  }

  @Test(arguments: CatalogEngine.allCases)
  func sharedObjectsAreStoredOnce(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    _ = try catalog.commitVersion(Self.version("a", digest: "1", samples: [("x.png", "a", nil)]))
    // The object is given again, with another size: the stored one is kept as it is.
    var again = Self.version("b", digest: "1", samples: [("y.png", "a", nil), ("z.png", "a", nil)])
    again.objects = [Self.object("a", size: 99), Self.object("a", size: 98)]
    _ = try catalog.commitVersion(again)
    #expect(try Self.count(catalog, "SELECT count(*) FROM objects") == 1)
    #expect(try catalog.allObjects() == [Self.object("a")])
    let hashes = [String(repeating: "a", count: 64), String(repeating: "f", count: 64)]
    #expect(try catalog.objects(hashes: hashes) == [hashes[0]: Self.object("a")])
    #expect(try catalog.objects(hashes: []) == [:])
  }

  @Test(arguments: CatalogEngine.allCases)
  func sizeOfObjectsStoredEarlierCounts(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    _ = try catalog.commitVersion(Self.version("a", digest: "1", samples: [("x.png", "a", nil)]))
    var next = Self.version("b", digest: "2", samples: [("x.png", "a", nil), ("y.png", "b", nil)])
    next.objects = [Self.object("b", size: 5)]
    guard case .created(let version) = try catalog.commitVersion(next) else {
      Issue.record("expected a new version")
      return
    }
    #expect(version.totalBytes == 15)
  }

  @Test(arguments: CatalogEngine.allCases)
  func sampleWithoutObjectChangesNothing(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    var broken = Self.version("a", digest: "1", samples: [("x.png", "a", nil), ("y.png", "c", nil)])
    broken.objects = [Self.object("a")]
    #expect(throws: CatalogError.self) { try catalog.commitVersion(broken) }
    #expect(try catalog.datasets().isEmpty)
    #expect(try catalog.allObjects().isEmpty)
  }

  @Test(arguments: CatalogEngine.allCases)
  func tagsPointAtOneVersionForGood(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    _ = try catalog.commitVersion(Self.version("cats", digest: "d1", samples: [("a.png", "a", nil)]))
    _ = try catalog.commitVersion(Self.version("cats", digest: "d2", samples: [("b.png", "b", nil)]))
    let dataset = try catalog.dataset(named: "cats")
    let v1 = try catalog.version(of: dataset, .number(1))
    let v2 = try catalog.version(of: dataset, .number(2))
    try catalog.setTag("baseline", of: dataset, to: v1)
    try catalog.setTag("baseline", of: dataset, to: v1)
    try catalog.setTag("Zed", of: dataset, to: v2)
    try catalog.setTag("alpha", of: dataset, to: v2)
    #expect(try catalog.version(of: dataset, .tag("baseline")) == v1)
    #expect(try catalog.tags(of: dataset).map(\.name) == ["Zed", "alpha", "baseline"])
    #expect(try catalog.tags(of: dataset).map(\.versionId) == [v2.id, v2.id, v1.id])
    #expect(throws: CatalogError.tagExists(dataset: "cats", tag: "baseline", version: 1)) {
      try catalog.setTag("baseline", of: dataset, to: v2)
    }
    #expect(throws: CatalogError.tagNotFound(dataset: "cats", tag: "nope")) {
      try catalog.version(of: dataset, .tag("nope"))
    }
    #expect(throws: CatalogError.versionNotFound(dataset: "cats", version: 7)) {
      try catalog.version(of: dataset, .number(7))
    }
  }

  @Test(
    arguments: CatalogEngine.allCases,
    ["x'; DROP TABLE samples; --", "Robert\"); --", "../../etc", "a b;c", "名前", "$1"])
  func namesAreBoundNeverInterpreted(engine: CatalogEngine, name: String) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    _ = try catalog.commitVersion(Self.version(name, digest: "d", samples: [("a.png", "a", name)]))
    let dataset = try catalog.dataset(named: name)
    #expect(dataset.name == name)
    #expect(try catalog.samples(in: try catalog.version(of: dataset, .latest)).first?.label == name)
    #expect(try Self.count(catalog, "SELECT count(*) FROM samples") == 1)
  }

  @Test(arguments: CatalogEngine.allCases)
  func unknownDatasetIsNamed(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    #expect(throws: CatalogError.datasetNotFound(name: "ghost")) {
      _ = try scratch.catalog.dataset(named: "ghost")
    }
    let ghost = Dataset(id: 42, name: "ghost", createdAt: "t")
    #expect(throws: CatalogError.versionNotFound(dataset: "ghost", version: 1)) {
      _ = try scratch.catalog.version(of: ghost, .latest)
    }
  }

  @Test(arguments: CatalogEngine.allCases)
  func namesComeBackInByteOrder(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let names = ["B", "a", "é", "Z", "_x", "b"]
    for (index, name) in names.enumerated() {
      _ = try catalog.commitVersion(Self.version(name, digest: "\(index)", samples: [("p.png", "a", nil)]))
    }
    #expect(try catalog.datasets().map(\.name) == Self.bytewise(names))
    #expect(try catalog.datasets().map(\.name) == ["B", "Z", "_x", "a", "b", "é"])
  }

  @Test(arguments: CatalogEngine.allCases)
  func labelsAreCountedNullFirstThenByteOrder(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let labels: [String?] = ["chat", nil, "Émile", "Zebra", "chat", nil, "ábc", "zebra", nil, "猫"]
    let samples = labels.enumerated().map { ("s\($0.offset).png", Character("a"), $0.element) }
    guard
      case .created(let version) = try catalog.commitVersion(Self.version("l", digest: "d", samples: samples))
    else {
      Issue.record("expected a new version")
      return
    }
    let counts = try catalog.labelCounts(in: version)
    #expect(counts.map(\.label) == [nil] + Self.bytewise(["chat", "Émile", "Zebra", "ábc", "zebra", "猫"]))
    #expect(counts.map(\.count) == [3, 1, 2, 1, 1, 1, 1])
  }

  @Test(arguments: CatalogEngine.allCases)
  func samplesAreFoundByPathAndPosition(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    var new = Self.version(
      "d", digest: "d", samples: [("b/2.png", "b", "y"), ("a/1.png", "a", "x"), ("c/3.png", "c", nil)])
    new.objects = [
      Self.object("a", width: 5), Self.object("b", width: 2),
      StoredObject(
        hash: String(repeating: "c", count: 64), size: 7, width: 2, height: 3, channels: 1, createdAt: "t",
        format: "jpeg", orientation: 6),
    ]
    guard case .created(let version) = try catalog.commitVersion(new) else {
      Issue.record("expected a new version")
      return
    }
    let second = Sample(
      position: 1, path: "a/1.png", objectHash: String(repeating: "a", count: 64), label: "x")
    #expect(try catalog.sample(in: version, position: 1) == second)
    #expect(try catalog.sample(in: version, path: "a/1.png") == second)
    #expect(try catalog.sample(in: version, position: 3) == nil)
    #expect(try catalog.sample(in: version, path: "A/1.png") == nil)
    #expect(try catalog.sampleImages(in: version).map(\.path) == ["b/2.png", "a/1.png", "c/3.png"])
    #expect(try catalog.sampleImages(in: version).map(\.width) == [2, 5, 2])
    let sizes = try catalog.imageSizes(in: version)
    #expect(sizes.map(\.width) == [2, 5] && sizes.map(\.path) == ["b/2.png", "a/1.png"])
    let kinds = try catalog.imageKinds(in: version)
    #expect(kinds.formats == ["png": 2, "jpeg": 1] && kinds.orientations == [6: 1])
    var visited: [(Int, Int?)] = []
    try catalog.forEachSample(in: version, withSizes: true) { sample, size in
      visited.append((sample.position, size?.width))
    }
    #expect(visited.map(\.0) == [0, 1, 2] && visited.map(\.1) == [2, 5, 2])
    var plain: [Sample] = []
    try catalog.forEachSample(in: version) { sample, size in
      #expect(size == nil)
      plain.append(sample)
    }
    #expect(plain == (try catalog.samples(in: version)))
  }

  /// A version of 100,000 samples (COPY on PostgreSQL) with paths and labels holding the characters
  /// COPY's text format escapes, read back equal.
  @Test(arguments: CatalogEngine.allCases)
  func largeVersionWithAwkwardPathsReadsBackEqual(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    let awkward = ["tab\there", "back\\slash", "new\nline", "cr\rhere", "quote'\"", "\\N", "é 猫", ""]
    let objects = (0..<100).map { index in
      StoredObject(
        hash: String(format: "%064x", index), size: index + 1, width: 1 + index % 7, height: 2, channels: 3,
        createdAt: "t\t\\")
    }
    let samples = (0..<100_000).map { index in
      NewSample(
        path: String(format: "%06d/", index) + awkward[index % awkward.count],
        objectHash: objects[index % objects.count].hash,
        label: index % 5 == 0 ? nil : awkward[(index / 3) % awkward.count])
    }
    let new = NewVersion(
      datasetName: "big", message: "tab\tand\nnewline", contentDigest: "big", objects: objects,
      samples: samples)
    guard case .created(let version) = try catalog.commitVersion(new) else {
      Issue.record("expected a new version")
      return
    }
    #expect(version.sampleCount == 100_000)
    #expect(version.totalBytes == (0..<100_000).reduce(0) { $0 + $1 % 100 + 1 })
    let stored = try catalog.samples(in: version)
    #expect(stored.count == samples.count)
    #expect(stored.map(\.path) == samples.map(\.path))
    #expect(stored.map(\.label) == samples.map(\.label))
    #expect(stored.map(\.objectHash) == samples.map(\.objectHash))
    #expect(stored.map(\.position) == Array(0..<100_000))
    #expect(try catalog.allObjects() == objects)
    #expect(try catalog.versions(of: try catalog.dataset(named: "big")).first?.message == "tab\tand\nnewline")
    #expect(try catalog.sample(in: version, path: samples[99_999].path)?.position == 99_999)
  }

  /// On PostgreSQL a committed version leaves the planner's statistics of `samples` and `objects`
  /// current (`ANALYZE`): a `COPY` alone leaves a new table's row estimate unknown (-1), and the
  /// first reads after a large `dataset add` would be planned for an empty table.
  @Test func postgresVersionCommitRefreshesStatistics() throws {
    let scratch = try ScratchCatalog(.postgresql)
    let samples = (0..<300).map { ("s\($0).png", Character("a"), Optional("x")) }
    _ = try scratch.catalog.commitVersion(Self.version("stats", digest: "d", samples: samples))
    #expect(try scratch.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'samples'") == 300)
    #expect(try scratch.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'objects'") == 1)
  }
}

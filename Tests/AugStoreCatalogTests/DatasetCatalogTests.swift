import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStoreCatalog

@Suite struct DatasetCatalogTests {
  let folder: TemporaryDirectory
  let catalog: Catalog

  init() throws {
    folder = try TemporaryDirectory()
    catalog = try Catalog(path: folder.appending("catalog.sqlite"))
  }

  func object(_ hash: Character, size: Int = 10) -> StoredObject {
    StoredObject(
      hash: String(repeating: hash, count: 64), size: size, width: 2, height: 3, channels: 3, createdAt: "t")
  }

  func version(_ name: String, digest: String, samples: [(String, Character, String?)]) -> NewVersion {
    NewVersion(
      datasetName: name, message: nil, contentDigest: digest,
      objects: Set(samples.map(\.1)).sorted().map { object($0) },
      samples: samples.map {
        NewSample(path: $0.0, objectHash: String(repeating: $0.1, count: 64), label: $0.2)
      })
  }

  @Test func versionsAreNumberedAndUnchangedContentAddsNone() throws {
    let first = try catalog.commitVersion(
      version("cats", digest: "d1", samples: [("a.png", "a", "x"), ("b.png", "b", nil)]))
    guard case .created(let v1) = first else {
      Issue.record("expected a new version, got \(first)")
      return
    }
    #expect(v1.number == 1 && v1.sampleCount == 2 && v1.totalBytes == 20)
    let again = try catalog.commitVersion(version("cats", digest: "d1", samples: [("a.png", "a", "x")]))
    #expect(again == .unchanged(v1))
    let second = try catalog.commitVersion(version("cats", digest: "d2", samples: [("a.png", "a", "x")]))
    guard case .created(let v2) = second else {
      Issue.record("expected v2, got \(second)")
      return
    }
    #expect(v2.number == 2)
    let dataset = try catalog.dataset(named: "cats")
    #expect(try catalog.versions(of: dataset).map(\.number) == [1, 2])
    #expect(try catalog.version(of: dataset, .latest) == v2)
    #expect(try catalog.samples(in: v1).map(\.path) == ["a.png", "b.png"])
    #expect(try catalog.samples(in: v1).map(\.position) == [0, 1])
    let labels = try catalog.labelCounts(in: v1)
    #expect(labels.map(\.label) == [nil, "x"] && labels.map(\.count) == [1, 1])
  }

  @Test func sharedObjectsAreStoredOnce() throws {
    _ = try catalog.commitVersion(version("a", digest: "1", samples: [("x.png", "a", nil)]))
    _ = try catalog.commitVersion(
      version("b", digest: "1", samples: [("y.png", "a", nil), ("z.png", "a", nil)]))
    let count = try catalog.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM objects") }
    #expect(count == 1)
  }

  @Test func tagsPointAtOneVersionForGood() throws {
    _ = try catalog.commitVersion(version("cats", digest: "d1", samples: [("a.png", "a", nil)]))
    _ = try catalog.commitVersion(version("cats", digest: "d2", samples: [("b.png", "b", nil)]))
    let dataset = try catalog.dataset(named: "cats")
    let v1 = try catalog.version(of: dataset, .number(1))
    let v2 = try catalog.version(of: dataset, .number(2))
    try catalog.setTag("baseline", of: dataset, to: v1)
    try catalog.setTag("baseline", of: dataset, to: v1)
    #expect(try catalog.version(of: dataset, .tag("baseline")) == v1)
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

  @Test(arguments: ["x'; DROP TABLE samples; --", "Robert\"); --", "../../etc", "a b;c", "名前"])
  func namesAreBoundNeverInterpreted(name: String) throws {
    _ = try catalog.commitVersion(version(name, digest: "d", samples: [("a.png", "a", name)]))
    let dataset = try catalog.dataset(named: name)
    #expect(dataset.name == name)
    #expect(try catalog.samples(in: try catalog.version(of: dataset, .latest)).first?.label == name)
    #expect(try catalog.read { db in try db.tableExists("samples") })
  }

  @Test func unknownDatasetIsNamed() {
    #expect(throws: CatalogError.datasetNotFound(name: "ghost")) {
      _ = try catalog.dataset(named: "ghost")
    }
  }
}

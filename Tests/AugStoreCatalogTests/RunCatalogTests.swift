import AugStorePostgres
import AugStoreTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import AugStoreCatalog

/// Pipelines and runs, on each engine.
@Suite struct RunCatalogTests {
  static func fingerprint(_ digit: Character) -> String { String(repeating: digit, count: 64) }

  /// A catalog holding one dataset version, and that version.
  static func catalogWithVersion(_ engine: CatalogEngine) throws -> (ScratchCatalog, DatasetVersion) {
    let scratch = try ScratchCatalog(engine)
    let hash = String(repeating: "a", count: 64)
    let commit = try scratch.catalog.commitVersion(
      NewVersion(
        datasetName: "cats", message: nil, contentDigest: "d",
        objects: [StoredObject(hash: hash, size: 1, width: 1, height: 1, channels: 1, createdAt: "t")],
        samples: [NewSample(path: "a.png", objectHash: hash, label: nil)]))
    guard case .created(let version) = commit else { throw CatalogError.datasetNotFound(name: "cats") }
    return (scratch, version)
  }

  @Test(arguments: CatalogEngine.allCases)
  func pipelineVersionsFollowFingerprints(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    guard
      case .created(let v1) = try catalog.commitPipeline(
        name: "aug", fingerprint: Self.fingerprint("1"), canonicalSpec: "{}")
    else {
      Issue.record("expected v1")
      return
    }
    #expect(v1.version == 1 && v1.spec == "{}" && v1.id != nil)
    #expect(
      try catalog.commitPipeline(name: "aug", fingerprint: Self.fingerprint("1"), canonicalSpec: "{}")
        == .unchanged(v1))
    guard
      case .created(let v2) = try catalog.commitPipeline(
        name: "aug", fingerprint: Self.fingerprint("2"), canonicalSpec: "{\"a\":1}")
    else {
      Issue.record("expected v2")
      return
    }
    #expect(v2.version == 2)
    // Back to the first spec: a new version, since only the latest one is compared.
    guard
      case .created(let v3) = try catalog.commitPipeline(
        name: "aug", fingerprint: Self.fingerprint("1"), canonicalSpec: "{}")
    else {
      Issue.record("expected v3")
      return
    }
    #expect(v3.version == 3)
    _ = try catalog.commitPipeline(name: "Zoom", fingerprint: Self.fingerprint("3"), canonicalSpec: "[]")
    _ = try catalog.commitPipeline(name: "éclair", fingerprint: Self.fingerprint("4"), canonicalSpec: "[]")
    _ = try catalog.commitPipeline(name: "B", fingerprint: Self.fingerprint("5"), canonicalSpec: "[]")
    #expect(try catalog.pipeline(named: "aug") == v3)
    #expect(try catalog.pipeline(named: "aug", version: 2) == v2)
    #expect(try catalog.pipeline(id: try #require(v1.id)) == v1)
    let all = try catalog.pipelines()
    #expect(all.map(\.name) == ["B", "Zoom", "aug", "aug", "aug", "éclair"])
    #expect(all.map(\.version) == [1, 1, 1, 2, 3, 1])
  }

  @Test(arguments: CatalogEngine.allCases)
  func missingPipelinesAreNamed(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let catalog = scratch.catalog
    #expect(throws: CatalogError.pipelineNotFound(name: "aug", version: nil)) {
      try catalog.pipeline(named: "aug")
    }
    _ = try catalog.commitPipeline(name: "aug", fingerprint: Self.fingerprint("1"), canonicalSpec: "{}")
    #expect(throws: CatalogError.pipelineNotFound(name: "aug", version: 4)) {
      try catalog.pipeline(named: "aug", version: 4)
    }
    #expect(throws: CatalogError.pipelineNotFound(name: "#77", version: nil)) {
      try catalog.pipeline(id: 77)
    }
  }

  @Test(arguments: CatalogEngine.allCases)
  func runsAreCreatedOnceAndFoundByName(engine: CatalogEngine) throws {
    let (scratch, version) = try Self.catalogWithVersion(engine)
    let catalog = scratch.catalog
    guard
      case .created(let pipeline) = try catalog.commitPipeline(
        name: "aug", fingerprint: Self.fingerprint("1"), canonicalSpec: "{}")
    else {
      Issue.record("expected a pipeline")
      return
    }
    let versionId = try #require(version.id)
    let pipelineId = try #require(pipeline.id)
    func run(_ name: String, seed: UInt64, shuffle: Bool, batchSize: Int?) -> Run {
      Run(
        name: name, datasetVersionId: versionId, pipelineId: pipelineId, seed: seed, shuffle: shuffle,
        drawScheme: 2, createdAt: "", decoder: 3, batchSize: batchSize, kernels: 4)
    }
    let created = try catalog.createRun(run("r1", seed: UInt64.max - 6, shuffle: true, batchSize: 8))
    #expect(created.id != nil && !created.createdAt.isEmpty)
    #expect(created.masterSeed == UInt64.max - 6)
    #expect(try catalog.run(named: "r1") == created)
    #expect(throws: CatalogError.runExists(name: "r1")) {
      try catalog.createRun(run("r1", seed: 1, shuffle: false, batchSize: nil))
    }
    let other = try catalog.createRun(run("Ärger", seed: 0, shuffle: false, batchSize: nil))
    let third = try catalog.createRun(run("R0", seed: 5, shuffle: true, batchSize: nil))
    #expect(try catalog.run(named: "Ärger") == other)
    #expect(other.batchSize == nil && !other.shuffle)
    #expect(try catalog.runs() == [third, created, other])
    #expect(throws: CatalogError.runNotFound(name: "r2")) { try catalog.run(named: "r2") }
    let (dataset, found) = try catalog.datasetVersion(id: created.datasetVersionId)
    #expect(dataset.name == "cats" && found == version)
    #expect(try catalog.pipeline(id: created.pipelineId) == pipeline)
  }
}

/// Names come back bytewise, as on SQLite, even from a database whose collation sorts linguistically.
@Suite struct PostgresCollationTests {
  @Test func namesSortBytewiseUnderALinguisticCollation() throws {
    let (endpoint, password, admin, scratch, _) = try ScratchCatalog.scratchDatabase()
    let icu = scratch + "_icu"
    try admin.query(
      PostgresQuery(
        unsafeSQL: "CREATE DATABASE \(icu) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C'"
      ))
    defer {
      for database in [icu, scratch] {
        _ = try? admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
      }
    }
    let catalog = try PostgresCatalog(
      endpoint: PostgresEndpoint(
        user: endpoint.user, host: endpoint.host, port: endpoint.port, database: icu),
      password: password)
    // The database's own order is linguistic: "a" before "B".
    let own = try catalog.query(readOnlySQL: "SELECT x FROM (VALUES ('B'), ('a')) v(x) ORDER BY x")
    #expect(own.rows == [[.text("a")], [.text("B")]])
    let names = ["B", "a", "é", "Z"]
    let hash = String(repeating: "a", count: 64)
    for (index, name) in names.enumerated() {
      _ = try catalog.commitVersion(
        NewVersion(
          datasetName: name, message: nil, contentDigest: "\(index)",
          objects: [StoredObject(hash: hash, size: 1, width: 1, height: 1, channels: 1, createdAt: "t")],
          samples: names.map { NewSample(path: "p" + $0, objectHash: hash, label: $0) }))
      _ = try catalog.commitPipeline(name: name, fingerprint: Self.fingerprint(index), canonicalSpec: "{}")
    }
    let bytewise = ["B", "Z", "a", "é"]
    #expect(try catalog.datasets().map(\.name) == bytewise)
    #expect(try catalog.pipelines().map(\.name) == bytewise)
    let dataset = try catalog.dataset(named: "a")
    let version = try catalog.version(of: dataset, .latest)
    #expect(try catalog.labelCounts(in: version).map(\.label) == bytewise)
    #expect(try catalog.imageSizes(in: version).map(\.path) == ["pB"])
    for name in names { try catalog.setTag(name, of: dataset, to: version) }
    #expect(try catalog.tags(of: dataset).map(\.name) == bytewise)
    let pipeline = try catalog.pipeline(named: "a")
    for name in names {
      _ = try catalog.createRun(
        Run(
          name: name, datasetVersionId: try #require(version.id), pipelineId: try #require(pipeline.id),
          seed: 1,
          shuffle: false, drawScheme: 1, createdAt: ""))
    }
    #expect(try catalog.runs().map(\.name) == bytewise)
  }

  static func fingerprint(_ index: Int) -> String { String(format: "%064d", index) }
}

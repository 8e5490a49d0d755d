import GRDB

/// What storing a pipeline spec did.
public enum PipelineCommit: Sendable, Equatable {
  /// The spec differs from the latest version under the name: a new version was stored.
  case created(Pipeline)
  /// The spec equals the latest version's; nothing was written.
  case unchanged(Pipeline)
}

extension Catalog {
  /// Stores a canonical spec under `name` unless the latest version has the same fingerprint.
  public func commitPipeline(
    name: String, fingerprint: String, canonicalSpec: String
  ) throws -> PipelineCommit {
    let now = Self.timestamp()
    return try write { db in
      let latest = try Pipeline.filter(Column("name") == name).order(Column("version").desc).fetchOne(db)
      if let latest, latest.fingerprint == fingerprint { return .unchanged(latest) }
      var pipeline = Pipeline(
        name: name, version: (latest?.version ?? 0) + 1, fingerprint: fingerprint, spec: canonicalSpec,
        createdAt: now)
      try pipeline.insert(db)
      return .created(pipeline)
    }
  }

  /// The pipeline `name` at `version`, or its latest version when `version` is `nil`.
  ///
  /// - Throws: `CatalogError.pipelineNotFound`.
  public func pipeline(named name: String, version: Int? = nil) throws -> Pipeline {
    let found = try read { db in
      var request = Pipeline.filter(Column("name") == name)
      if let version { request = request.filter(Column("version") == version) }
      return try request.order(Column("version").desc).fetchOne(db)
    }
    guard let found else { throw CatalogError.pipelineNotFound(name: name, version: version) }
    return found
  }

  /// The pipeline version with this row id.
  public func pipeline(id: Int64) throws -> Pipeline {
    // By SQL rather than by key: a lookup by key first reads the table's columns to find its
    // primary key, a schema query each process pays once.
    let found = try read { db in
      try Pipeline.fetchOne(db, sql: "SELECT * FROM pipelines WHERE id = ?", arguments: [id])
    }
    guard let found else {
      throw CatalogError.pipelineNotFound(name: "#\(id)", version: nil)
    }
    return found
  }

  /// Every pipeline version, by name then version.
  public func pipelines() throws -> [Pipeline] {
    try read { db in try Pipeline.order(Column("name"), Column("version")).fetchAll(db) }
  }

  /// Creates a run.
  ///
  /// - Throws: `CatalogError.runExists` if the name is taken (runs are immutable).
  public func createRun(_ run: Run) throws -> Run {
    var run = run
    run.createdAt = Self.timestamp()
    return try write { db in
      if try Run.filter(Column("name") == run.name).fetchCount(db) > 0 {
        throw CatalogError.runExists(name: run.name)
      }
      try run.insert(db)
      return run
    }
  }

  /// The run with this name.
  ///
  /// - Throws: `CatalogError.runNotFound`.
  public func run(named name: String) throws -> Run {
    guard let run = try read({ db in try Run.filter(Column("name") == name).fetchOne(db) }) else {
      throw CatalogError.runNotFound(name: name)
    }
    return run
  }

  /// Every run, by name.
  public func runs() throws -> [Run] {
    try read { db in try Run.order(Column("name")).fetchAll(db) }
  }

  /// The dataset version with this row id, with its dataset.
  public func datasetVersion(id: Int64) throws -> (Dataset, DatasetVersion) {
    let found = try read { db -> (Dataset, DatasetVersion)? in
      // By SQL rather than by key (see ``pipeline(id:)``).
      guard
        let version = try DatasetVersion.fetchOne(
          db, sql: "SELECT * FROM dataset_versions WHERE id = ?", arguments: [id]),
        let dataset = try Dataset.fetchOne(
          db, sql: "SELECT * FROM datasets WHERE id = ?", arguments: [version.datasetId])
      else { return nil }
      return (dataset, version)
    }
    guard let found else { throw CatalogError.datasetNotFound(name: "#\(id)") }
    return found
  }
}

import AugStoreCatalog
import Foundation
import PostgresNIO

// Pipelines and runs: the SQLite catalog's results in the same orders (names bytewise).
extension PostgresCatalog {
  /// Stores a canonical spec under `name` unless the latest version has the same fingerprint; the
  /// next version number is taken under the write lock, so hosts storing at once never collide.
  public func commitPipeline(
    name: String, fingerprint: String, canonicalSpec: String
  ) throws -> PipelineCommit {
    let now = Catalog.timestamp()
    return try write { session in
      let latest = try session.query(
        """
        SELECT \(unescaped: PostgresRows.pipelineColumns) FROM pipelines WHERE name = \(name)
        ORDER BY version DESC LIMIT 1
        """
      ).first.map(PostgresRows.pipeline)
      if let latest, latest.fingerprint == fingerprint { return .unchanged(latest) }
      let version = (latest?.version ?? 0) + 1
      guard
        let row = try session.query(
          """
          INSERT INTO pipelines (name, version, fingerprint, spec, created_at)
          VALUES (\(name), \(version), \(fingerprint), \(canonicalSpec), \(now)) RETURNING id
          """
        ).first
      else { throw CatalogError.pipelineNotFound(name: name, version: version) }
      return .created(
        Pipeline(
          id: try row.decode(Int64.self), name: name, version: version, fingerprint: fingerprint,
          spec: canonicalSpec, createdAt: now))
    }
  }

  /// The pipeline `name` at `version`, or its latest version when `version` is `nil`.
  ///
  /// - Throws: `CatalogError.pipelineNotFound`.
  public func pipeline(named name: String, version: Int?) throws -> Pipeline {
    let found = try read { session in
      let columns = PostgresRows.pipelineColumns
      let rows =
        if let version {
          try session.query(
            "SELECT \(unescaped: columns) FROM pipelines WHERE name = \(name) AND version = \(version)")
        } else {
          try session.query(
            "SELECT \(unescaped: columns) FROM pipelines WHERE name = \(name) ORDER BY version DESC LIMIT 1")
        }
      return try rows.first.map(PostgresRows.pipeline)
    }
    guard let found else { throw CatalogError.pipelineNotFound(name: name, version: version) }
    return found
  }

  /// The pipeline version with this row id.
  ///
  /// - Throws: `CatalogError.pipelineNotFound` naming `#id`.
  public func pipeline(id: Int64) throws -> Pipeline {
    let found = try readStatement { session in
      try session.query("SELECT \(unescaped: PostgresRows.pipelineColumns) FROM pipelines WHERE id = \(id)")
        .first.map(PostgresRows.pipeline)
    }
    guard let found else { throw CatalogError.pipelineNotFound(name: "#\(id)", version: nil) }
    return found
  }

  /// Every pipeline version, by name (bytewise) then version.
  public func pipelines() throws -> [Pipeline] {
    try read { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.pipelineColumns) FROM pipelines ORDER BY name COLLATE "C", version
        """
      ).map(PostgresRows.pipeline)
    }
  }

  /// Creates a run, stamped with the current time, under a new row id.
  ///
  /// - Throws: `CatalogError.runExists` if the name is taken (runs are immutable).
  public func createRun(_ run: Run) throws -> Run {
    var run = run
    run.createdAt = Catalog.timestamp()
    return try write { session in
      if try !session.query("SELECT 1 FROM runs WHERE name = \(run.name)").isEmpty {
        throw CatalogError.runExists(name: run.name)
      }
      let shuffle = run.shuffle ? 1 : 0
      let row = try session.query(
        """
        INSERT INTO runs (name, dataset_version_id, pipeline_id, seed, shuffle, draw_scheme, created_at,
          decoder, batch_size, kernels)
        VALUES (\(run.name), \(run.datasetVersionId), \(run.pipelineId), \(run.seed), \(shuffle), \(run.drawScheme),
          \(run.createdAt), \(run.decoder), \(run.batchSize), \(run.kernels))
        RETURNING id
        """
      ).first
      guard let row else { throw CatalogError.runNotFound(name: run.name) }
      run.id = try row.decode(Int64.self)
      return run
    }
  }

  /// The run with this name.
  ///
  /// - Throws: `CatalogError.runNotFound`.
  public func run(named name: String) throws -> Run {
    let found = try readStatement { session in
      try session.query("SELECT \(unescaped: PostgresRows.runColumns) FROM runs WHERE name = \(name)")
        .first.map(PostgresRows.run)
    }
    guard let found else { throw CatalogError.runNotFound(name: name) }
    return found
  }

  /// Every run, by name (bytewise).
  public func runs() throws -> [Run] {
    try read { session in
      try session.query(
        "SELECT \(unescaped: PostgresRows.runColumns) FROM runs ORDER BY name COLLATE \"C\""
      ).map(PostgresRows.run)
    }
  }
}

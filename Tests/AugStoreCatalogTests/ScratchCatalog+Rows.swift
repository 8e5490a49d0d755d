import AugStorePostgres
import AugStoreTestSupport
import Foundation
import GRDB
import PostgresNIO

@testable import AugStoreCatalog

/// Set-up and inspection of a scratch catalog in plain SQL (the same statements on both engines),
/// for tests that need rows their own methods do not write.
extension ScratchCatalog {
  /// Runs `sql` (statements ending in `;` at line ends) in one write transaction.
  func execute(_ sql: String) throws {
    switch catalog {
    case let sqlite as Catalog: try sqlite.write { db in try db.execute(sql: sql) }
    case let postgres as PostgresCatalog: try postgres.write { session in try session.execute(script: sql) }
    default: throw CatalogError.database(path: url, message: "unknown engine")
    }
  }

  /// The integer the query `sql` returns.
  func count(_ sql: String) throws -> Int {
    switch catalog {
    case let sqlite as Catalog: return try sqlite.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    case let postgres as PostgresCatalog:
      return try postgres.read { session in
        try session.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int.self) ?? -1
      }
    default: throw CatalogError.database(path: url, message: "unknown engine")
    }
  }

  /// A run named `name` on a new dataset version of `samples` samples and a pipeline of its own.
  func makeRun(_ name: String = "run", samples: Int) throws -> Run {
    let fingerprint = String(repeating: "a", count: 64)
    try execute(
      """
      INSERT INTO datasets (name, created_at) VALUES ('\(name)-data', 't');
      INSERT INTO dataset_versions (dataset_id, number, sample_count, total_bytes, content_digest, created_at)
        VALUES ((SELECT id FROM datasets WHERE name = '\(name)-data'), 1, \(samples), 0, 'd', 't');
      INSERT INTO pipelines (name, version, fingerprint, spec, created_at)
        VALUES ('\(name)-pipe', 1, '\(fingerprint)', '{}', 't');
      INSERT INTO runs (name, dataset_version_id, pipeline_id, seed, shuffle, draw_scheme, created_at)
        VALUES ('\(name)',
          (SELECT v.id FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
           WHERE d.name = '\(name)-data'),
          (SELECT id FROM pipelines WHERE name = '\(name)-pipe'), 7, 1, 1, 't');
      """)
    return Run(
      id: Int64(try count("SELECT id FROM runs WHERE name = '\(name)'")), name: name,
      datasetVersionId: Int64(try count("SELECT dataset_version_id FROM runs WHERE name = '\(name)'")),
      pipelineId: Int64(try count("SELECT pipeline_id FROM runs WHERE name = '\(name)'")), seed: 7,
      shuffle: true, drawScheme: 1, createdAt: "t")
  }

  /// A second catalog object on the same catalog (another process's or host's view of it).
  func reopen() throws -> any CatalogBackend {
    switch try CatalogURL(parsing: url) {
    case .sqlite(let path): try Catalog(path: path)
    case .postgresql(let endpoint): try PostgresCatalog(endpoint: endpoint, environment: environment)
    }
  }
}

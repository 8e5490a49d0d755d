import AugStorePostgres
import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStoreCatalog

/// `augstore sql`'s query on each engine: reads answer, writes are refused and change nothing.
@Suite struct ReadOnlySQLCatalogTests {
  static func catalogWithSamples(_ engine: CatalogEngine) throws -> ScratchCatalog {
    let scratch = try ScratchCatalog(engine)
    let hash = String(repeating: "a", count: 64)
    _ = try scratch.catalog.commitVersion(
      NewVersion(
        datasetName: "cats", message: nil, contentDigest: "d",
        objects: [StoredObject(hash: hash, size: 12, width: 3, height: 2, channels: 1, createdAt: "t")],
        samples: [
          NewSample(path: "a.png", objectHash: hash, label: "x"),
          NewSample(path: "b.png", objectHash: hash, label: nil),
        ]))
    return scratch
  }

  @Test(arguments: CatalogEngine.allCases)
  func selectReturnsTypedValues(engine: CatalogEngine) throws {
    let scratch = try Self.catalogWithSamples(engine)
    let result = try scratch.catalog.query(
      readOnlySQL: """
        SELECT s.position, s.path, s.label, o.size * 0.5 AS half, o.size
        FROM samples s JOIN objects o ON o.hash = s.object_hash ORDER BY s.position
        """)
    #expect(result.columns == ["position", "path", "label", "half", "size"])
    #expect(
      result.rows == [
        [.integer(0), .text("a.png"), .text("x"), .real(6), .integer(12)],
        [.integer(1), .text("b.png"), .null, .real(6), .integer(12)],
      ])
    let empty = try scratch.catalog.query(readOnlySQL: "SELECT path, label FROM samples WHERE position > 5;")
    #expect(empty.rows.isEmpty && empty.columns == ["path", "label"])
  }

  @Test(arguments: CatalogEngine.allCases)
  func blobsComeBackAsBytes(engine: CatalogEngine) throws {
    let scratch = try ScratchCatalog(engine)
    let sql =
      engine == .sqlite
      ? "SELECT x'00ff10' AS b, 2.5 AS r" : "SELECT '\\x00ff10'::bytea AS b, 2.5::float8 AS r"
    #expect(try scratch.catalog.query(readOnlySQL: sql).rows == [[.blob([0, 255, 16]), .real(2.5)]])
  }

  @Test(
    arguments: CatalogEngine.allCases,
    [
      "INSERT INTO datasets (name, created_at) VALUES ('x', 't')", "DELETE FROM samples",
      "  delete from samples", "UPDATE samples SET label = 'y'", "DROP TABLE samples",
      "BEGIN", "COMMIT",
    ])
  func writesAreRefusedAndChangeNothing(engine: CatalogEngine, sql: String) throws {
    let scratch = try Self.catalogWithSamples(engine)
    #expect {
      try scratch.catalog.query(readOnlySQL: sql)
    } throws: { error in
      guard case .readOnlySQL = error as? CatalogError else { return false }
      return true
    }
    let count = try scratch.catalog.query(readOnlySQL: "SELECT count(*) FROM samples")
    #expect(count.rows == [[.integer(2)]])
    #expect(
      try scratch.catalog.samples(
        in: try scratch.catalog.version(of: try scratch.catalog.dataset(named: "cats"), .latest)
      ).map(\.label) == ["x", nil])
    #expect(try scratch.catalog.datasets().map(\.name) == ["cats"])
  }

  @Test func postgreSQLTypesMapToQueryValues() throws {
    let scratch = try ScratchCatalog(.postgresql)
    let result = try scratch.catalog.query(
      readOnlySQL: """
        SELECT true AS t, 'x'::name AS n, 12::oid AS o, '{"a":1}'::jsonb AS j, NULL AS z, 7::int2 AS s,
          1.25::float4 AS f, 2.5::numeric AS d, '2026-01-02 03:04:05+00'::timestamptz AS ts
        """)
    #expect(result.columns == ["t", "n", "o", "j", "z", "s", "f", "d", "ts"])
    #expect(
      result.rows == [
        [
          .integer(1), .text("x"), .integer(12), .text("{\"a\": 1}"), .null, .integer(7), .real(1.25),
          .real(2.5),
          .text("2026-01-02T03:04:05Z"),
        ]
      ])
  }

  /// A query that hides a write (only PostgreSQL has data-modifying `WITH`) is refused by the server.
  @Test func hiddenWritesAreRefusedOnPostgreSQL() throws {
    let scratch = try Self.catalogWithSamples(.postgresql)
    for sql in [
      "WITH g AS (DELETE FROM samples RETURNING 1) SELECT 1 FROM g",
      "SELECT * FROM runs FOR UPDATE", "EXPLAIN ANALYZE DELETE FROM samples",
    ] {
      #expect(throws: CatalogError.readOnlySQL(statement: sql)) {
        try scratch.catalog.query(readOnlySQL: sql)
      }
    }
    #expect(try scratch.catalog.query(readOnlySQL: "SELECT count(*) FROM samples").rows == [[.integer(2)]])
  }

  @Test(arguments: CatalogEngine.allCases)
  func oneStatementAtATime(engine: CatalogEngine) throws {
    let scratch = try Self.catalogWithSamples(engine)
    #expect(throws: CatalogError.readOnlySQL(statement: "more than one statement; run one at a time")) {
      try scratch.catalog.query(readOnlySQL: "SELECT 1; SELECT 2")
    }
  }

  @Test(arguments: CatalogEngine.allCases)
  func sqlErrorsNameTheCatalog(engine: CatalogEngine) throws {
    let scratch = try Self.catalogWithSamples(engine)
    #expect {
      try scratch.catalog.query(readOnlySQL: "SELECT nope FROM samples")
    } throws: { error in
      guard case .database(let path, let message) = error as? CatalogError else { return false }
      return path == scratch.catalog.location && message.contains("nope")
    }
  }

  @Test(arguments: CatalogEngine.allCases)
  func integrityCheckPassesASoundCatalog(engine: CatalogEngine) throws {
    let scratch = try Self.catalogWithSamples(engine)
    #expect(try scratch.catalog.integrityCheck() == ["ok"])
  }

  @Test func integrityCheckFindsMissingSamplesOnPostgreSQL() throws {
    let scratch = try Self.catalogWithSamples(.postgresql)
    let catalog = try #require(scratch.catalog as? PostgresCatalog)
    try catalog.write { session in try session.query("DELETE FROM samples WHERE position = 1") }
    #expect(try catalog.integrityCheck() == ["dataset \"cats\" v1: 2 samples recorded, 1 stored"])
  }
}

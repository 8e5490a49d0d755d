import AugStoreCatalog
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

@testable import AugStore

@Suite struct RecordSQLTests {
  @Test func viewsReturnOneRowPerRecordAndTransform() throws {
    let fixture = try RecordFixture()
    let details = try fixture.makeRun("r", pipeline: realisticPipeline)
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0-2"))
    let catalog = fixture.store.catalog

    let count = try catalog.query(readOnlySQL: "SELECT count(*) FROM augmentation_records WHERE run = 'r'")
    #expect(count.rows == [[.integer(120)]])
    let params = try catalog.query(readOnlySQL: "SELECT count(*) FROM augmentation_params WHERE run = 'r'")
    #expect(params.rows == [[.integer(600)]])

    let drawn = try fixture.drawn(details, epoch: 1)
    let history = try fixture.store.history(run: "r", sample: "17")
    let rows = try catalog.query(
      readOnlySQL: """
        SELECT run, epoch, sample, path, position, original, transform_index, transform, params_json
        FROM augmentation_params WHERE run = 'r' AND epoch = 1 AND sample = 17 ORDER BY transform_index
        """)
    #expect(
      rows.columns == [
        "run", "epoch", "sample", "path", "position", "original", "transform_index", "transform",
        "params_json",
      ])
    #expect(rows.rows.count == 5)
    let types = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomCrop", "RandomContrast"]
    for (index, row) in rows.rows.enumerated() {
      #expect(row[0] == .text("r") && row[1] == .integer(1) && row[2] == .integer(17))
      #expect(row[3] == .text(history.sample.path))
      #expect(row[4] == .integer(Int64(history.epochs[1].position)))
      #expect(row[5] == .integer(0) && row[6] == .integer(Int64(index)) && row[7] == .text(types[index]))
      #expect(row[8] == .text(RecordSQLFunctions.paramJSON(drawn[17].params[index])))
    }
    let angle = try catalog.query(
      readOnlySQL: """
        SELECT json_extract(params_json, '$.angle') FROM augmentation_params
        WHERE run = 'r' AND epoch = 1 AND sample = 17 AND transform = 'RandomRotation'
        """)
    guard case .rotation(let expectedAngle) = drawn[17].params[1],
      case .real(let value) = angle.rows.first?.first
    else {
      Issue.record("no angle: \(angle.rows)")
      return
    }
    #expect(Float(value) == expectedAngle)

    let record = try catalog.query(
      readOnlySQL:
        "SELECT params_json, record, digest FROM augmentation_records WHERE run = 'r' AND epoch = 2 AND sample = 39"
    )
    let expected = try fixture.drawn(details, epoch: 2)[39]
    #expect(record.rows == [[.text(expected.jsonString), .blob(expected.encoded()), .null]])
  }

  @Test func originalsHaveNullParameters() throws {
    let fixture = try RecordFixture()
    try fixture.makeRun(
      "p", pipeline: #"{"transforms": [{"type": "RandomFlip"}], "original_probability": 0.5}"#)
    try fixture.store.record(run: "p", epochs: EpochSelection(parsing: "0-3"))
    let summary = try fixture.store.catalog.query(
      readOnlySQL: """
        SELECT original, count(*), count(params_json) FROM augmentation_params WHERE run = 'p'
        GROUP BY original ORDER BY original
        """)
    let stats = try fixture.store.stats(run: "p")
    let originals = Int64(stats.originalRecords)
    #expect(
      summary.rows == [
        [.integer(0), .integer(160 - originals), .integer(160 - originals)],
        [.integer(1), .integer(originals), .integer(0)],
      ])
  }

  @Test(arguments: [
    "DELETE FROM runs", "INSERT INTO tensors (digest) VALUES (zeroblob(32))", "DROP TABLE record_blocks",
    "ATTACH DATABASE '/tmp/x.sqlite' AS x", "UPDATE runs SET name = 'x'", "CREATE TABLE t (x)",
    "PRAGMA journal_mode = DELETE", "WITH a AS (SELECT 1) DELETE FROM epochs", "SELECT 1; DELETE FROM runs",
    "  attach ':memory:' as m", "VACUUM",
  ])
  func sqlRefusesWrites(statement: String) throws {
    let fixture = try RecordFixture()
    try fixture.makeRun("r", pipeline: realisticPipeline)
    try fixture.store.record(run: "r", epochs: EpochSelection(parsing: "0"))
    let before = try CatalogDump.dump(fixture.store.catalog.location)
    #expect(throws: CatalogError.self) { try fixture.store.catalog.query(readOnlySQL: statement) }
    do {
      _ = try fixture.store.catalog.query(readOnlySQL: statement)
    } catch let error as CatalogError {
      guard case .readOnlySQL = error else {
        Issue.record("not refused as a write: \(error)")
        return
      }
    }
    #expect(try CatalogDump.dump(fixture.store.catalog.location) == before)
  }

  @Test func sqlReportsSyntaxErrors() throws {
    let fixture = try RecordFixture()
    #expect(throws: CatalogError.self) { try fixture.store.catalog.query(readOnlySQL: "SELEC 1") }
    #expect(
      try fixture.store.catalog.query(readOnlySQL: "SELECT augstore_u32(x'0100000002000000', 1)").rows == [
        [.integer(2)]
      ])
  }
}

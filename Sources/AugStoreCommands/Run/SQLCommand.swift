import ArgumentParser
import AugStore
import AugStoreCatalog
import Foundation

/// `augstore sql "SELECT …" [--json]`.
struct SQLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sql",
    abstract: "Run one read-only SQL query over the catalog.",
    discussion: """
      The catalog is opened read-only (and with PRAGMA query_only); statements that write, \
      ATTACH/DETACH and PRAGMA are refused with exit code 1. Blobs print as lowercase hex.

      Views:
        augmentation_records  one row per recorded (run, epoch, sample): run, epoch, sample \
      (index in the dataset version), path, label, position (in the epoch's order), original \
      (0/1), record (binary SampleRecord), params_json, digest (hex SHA-256 of the \
      materialized tensor, NULL until materialized)
        augmentation_params   one row per (run, epoch, sample, transform): run, epoch, sample, \
      path, position, original, transform_index, transform (Keras layer name), params_json \
      (e.g. {"angle":-12.5}; NULL when the sample was an original)
      Tables: datasets, dataset_versions, samples, objects, tags, pipelines, runs, epochs, \
      record_blocks, tensors.
      Functions: augstore_record(params, i), augstore_u32(blob, i), augstore_original(record), \
      augstore_record_json(record), augstore_params_json(record, transform_index).

      Example: augstore sql "SELECT epoch, json_extract(params_json, '$.angle') AS angle FROM \
      augmentation_params WHERE run = 'r1' AND sample = 17 AND transform = 'RandomRotation'"
      JSON: {"columns": [...], "rows": [{column: value, ...}]}.

      On a store whose catalog is in PostgreSQL the query runs in PostgreSQL's dialect, in a       read-only transaction, over the same tables; the views and functions above are SQLite's only.
      """
  )

  @OptionGroup var global: GlobalOptions

  @Argument(help: "One SQL statement (SELECT or WITH … SELECT).")
  var query: String

  @OptionGroup var output: OutputOptions

  func run() throws {
    let store = try global.openStore()
    let result = try store.catalog.query(readOnlySQL: query)
    if output.json {
      try Terminal.printJSON(Document(result))
      return
    }
    let cells = result.rows.map { $0.map(Self.text) }
    var widths = result.columns.map(\.count)
    for row in cells {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = min(max(widths[index], cell.count), 80)
      }
    }
    func line(_ values: [String]) -> String {
      values.enumerated().map { index, value in
        let clipped = value.count > 80 ? String(value.prefix(77)) + "..." : value
        return clipped.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    print(line(result.columns))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for row in cells { print(line(row)) }
    print("(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))")
  }

  static func text(_ value: QueryValue) -> String {
    switch value {
    case .null: "NULL"
    case .integer(let number): "\(number)"
    case .real(let number): "\(number)"
    case .text(let text): text
    case .blob(let bytes): bytes.map { String(format: "%02x", $0) }.joined()
    }
  }

  private struct Document: Encodable {
    var columns: [String]
    var rows: [Row]

    init(_ result: QueryResult) {
      columns = result.columns
      rows = result.rows.map { Row(columns: result.columns, values: $0) }
    }
  }

  private struct Row: Encodable {
    var columns: [String]
    var values: [QueryValue]

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: NameKey.self)
      for (column, value) in zip(columns, values) {
        let key = NameKey(stringValue: column)
        switch value {
        case .null: try container.encodeNil(forKey: key)
        case .integer(let number): try container.encode(number, forKey: key)
        case .real(let number): try container.encode(number, forKey: key)
        case .text(let text): try container.encode(text, forKey: key)
        case .blob: try container.encode(SQLCommand.text(value), forKey: key)
        }
      }
    }
  }
}

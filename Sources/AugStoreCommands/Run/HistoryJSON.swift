import AugStore

/// `history --json` written without `JSONEncoder`: the same bytes as ``Terminal/printJSON(_:)``
/// writes for a ``HistoryReport`` (pretty printed with two-space indents and `" : "`, keys sorted
/// by their UTF-8 bytes, slashes not escaped, floats as their shortest description without a
/// trailing `.0`).
///
/// `JSONEncoder` built a boxed value per field and sorted every object's keys through dictionaries;
/// for a 90-epoch history that was about a tenth of the process's CPU time. The report's own
/// objects have fixed keys, written here in sorted order; only a transform's parameter object is
/// sorted at run time.
package enum HistoryJSON {
  /// The document, or `nil` when a value has no JSON number (a NaN or infinite float): the caller
  /// then goes through `JSONEncoder`, which reports it.
  package static func text(_ report: HistoryReport) -> String? {
    var writer = Writer()
    writer.append("{\n  \"epochs\" : ")
    if report.epochs.isEmpty {
      writer.append("[\n\n  ]")
    } else {
      writer.append("[\n")
      for (index, row) in report.epochs.enumerated() {
        if index > 0 { writer.append(",\n") }
        guard writer.epoch(row) else { return nil }
      }
      writer.append("\n  ]")
    }
    writer.append(",\n  \"run\" : ")
    writer.string(report.run)
    writer.append(",\n  \"sample\" : {\n    \"index\" : ")
    writer.append(String(report.sample.index))
    writer.append(",\n    \"label\" : ")
    writer.optionalString(report.sample.label)
    writer.append(",\n    \"path\" : ")
    writer.string(report.sample.path)
    writer.append("\n  }\n}")
    return writer.text
  }

  /// Appends JSON text, as UTF-8 bytes, to one growing buffer.
  private struct Writer {
    var bytes: [UInt8] = []

    init() {
      bytes.reserveCapacity(16 << 10)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ piece: String) {
      bytes.append(contentsOf: piece.utf8)
    }

    /// One epoch row at indent level 2 (inside the `epochs` array).
    mutating func epoch(_ row: HistoryReport.EpochRow) -> Bool {
      append("    {\n      \"digest\" : ")
      optionalString(row.digest)
      append(",\n      \"epoch\" : ")
      append(String(row.epoch))
      append(",\n      \"original\" : ")
      append(row.original ? "true" : "false")
      append(",\n      \"position\" : ")
      append(String(row.position))
      append(",\n      \"transforms\" : ")
      if row.transforms.isEmpty {
        append("[\n\n      ]")
      } else {
        append("[\n")
        for (index, transform) in row.transforms.enumerated() {
          if index > 0 { append(",\n") }
          append("        {\n          \"params\" : ")
          guard params(transform.params.fields) else { return false }
          append(",\n          \"type\" : ")
          string(transform.type)
          append("\n        }")
        }
        append("\n      ]")
      }
      append("\n    }")
      return true
    }

    /// A parameter object at indent level 5: keys sorted by UTF-8 bytes, a repeated key keeps its
    /// last value (as a keyed encoding container does).
    mutating func params(_ fields: [(name: String, value: ParameterValue)]) -> Bool {
      guard !fields.isEmpty else {
        append("{\n\n          }")
        return true
      }
      var latest: [(name: String, value: ParameterValue)] = []
      latest.reserveCapacity(fields.count)
      for field in fields {
        if let index = latest.firstIndex(where: { $0.name == field.name }) {
          latest[index].value = field.value
        } else {
          latest.append(field)
        }
      }
      latest.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
      append("{\n")
      for (index, field) in latest.enumerated() {
        if index > 0 { append(",\n") }
        append("            ")
        string(field.name)
        append(" : ")
        switch field.value {
        case .bool(let value): append(value ? "true" : "false")
        case .int(let value): append(String(value))
        case .float(let value):
          guard value.isFinite else { return false }
          var number = value.description
          if number.hasSuffix(".0") { number.removeLast(2) }
          append(number)
        case .string(let value): string(value)
        }
      }
      append("\n          }")
      return true
    }

    mutating func optionalString(_ value: String?) {
      if let value { string(value) } else { append("null") }
    }

    /// A quoted string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`,
    /// everything else (slashes, non-ASCII) as is.
    mutating func string(_ value: String) {
      bytes.append(UInt8(ascii: "\""))
      for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x00..<0x20:
          let digits: [UInt8] = Array("0123456789abcdef".utf8)
          append("\\u00")
          bytes.append(digits[Int(byte >> 4)])
          bytes.append(digits[Int(byte & 15)])
        default: bytes.append(byte)
        }
      }
      bytes.append(UInt8(ascii: "\""))
    }
  }
}

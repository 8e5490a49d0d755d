import Foundation

/// One thing wrong between a labels file and the images of a source folder.
///
/// A problem found in a row names the row's line (1-based, where the row starts); an image the
/// file has no row for names no line.
public struct LabelsProblem: Sendable, Equatable, Codable, CustomStringConvertible {
  /// The line of the labels file the row starts on, or `nil` for an image without a row.
  public var line: Int?
  /// The image path concerned, when there is one.
  public var path: String?
  /// What is wrong, e.g. "no such image".
  public var reason: String

  /// Describes a problem.
  public init(line: Int?, path: String?, reason: String) {
    self.line = line
    self.path = path
    self.reason = reason
  }

  /// `line N: path: reason`, `line N: reason` or `path: reason`, on one line.
  public var description: String {
    var parts: [String] = []
    if let line { parts.append("line \(line)") }
    if let path { parts.append(LabelsFile.printable(path)) }
    parts.append(reason)
    return parts.joined(separator: ": ")
  }
}

/// One data row of a labels file.
package struct LabelsRow: Sendable, Equatable {
  /// The line the row starts on (1-based; a quoted field may span lines).
  package var line: Int
  /// The `path` field: an image path relative to the source folder, `/`-separated.
  package var path: String
  /// The `label` field.
  package var label: String
}

/// A labels file after parsing: its rows, and the problems found in single rows.
package struct ParsedLabels: Sendable, Equatable {
  /// Rows with a path and a label, in file order, each path once.
  package var rows: [LabelsRow]
  /// Rows that cannot be used: a wrong number of fields, an empty path or label, a path listed
  /// before.
  package var problems: [LabelsProblem]
}

/// Reading labels from a CSV file with `path` and `label` columns, and matching them to images.
///
/// The file is CSV as RFC 4180 describes it, read as UTF-8: the first row is a header naming the
/// columns; fields are separated by commas; a field holding a comma, a quote or a line break is
/// enclosed in double quotes, with each quote inside written twice. A leading UTF-8 byte order
/// mark is skipped, lines may end with CRLF, LF or CR, a trailing line end is allowed and blank
/// lines are skipped. Other columns may be present and are ignored. Header names, paths and
/// labels are taken without surrounding spaces and tabs; paths must equal an image's path
/// relative to the source folder exactly (`/`-separated, same letter case).
///
/// A file that cannot be read or split into rows (not UTF-8, an unterminated quote, a stray
/// quote) or whose header lacks a column is refused naming the line. Otherwise every problem of
/// every row, and every image without a row, is collected so that one error lists them all.
package enum LabelsFile {
  /// Reads and parses the labels file at `path`.
  ///
  /// - Throws: `StoreError.invalidLabelsFile` when the file cannot be read or parsed, or its
  ///   header lacks the `path` or `label` column.
  package static func read(_ path: String) throws(StoreError) -> ParsedLabels {
    if FileIO.kind(path) == .directory {
      throw .invalidLabelsFile(path: path, line: nil, reason: "cannot read: a folder, not a file")
    }
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(path)
    } catch {
      let message = if case .io(_, let message) = error { message } else { error.localizedDescription }
      throw .invalidLabelsFile(path: path, line: nil, reason: "cannot read: \(message)")
    }
    return try parse(bytes, path: path)
  }

  /// Parses the bytes of a labels file; `path` names the file in errors.
  ///
  /// - Throws: `StoreError.invalidLabelsFile`.
  package static func parse(_ bytes: [UInt8], path: String) throws(StoreError) -> ParsedLabels {
    let records: [(line: Int, fields: [String])]
    var reader = CSVReader(bytes)
    do throws(CSVSyntaxError) {
      records = try reader.records()
    } catch {
      throw .invalidLabelsFile(path: path, line: error.line, reason: error.reason)
    }
    guard let header = records.first else {
      throw .invalidLabelsFile(
        path: path, line: 1,
        reason: "empty file; the first row must be a header naming the path and label columns")
    }
    let names = header.fields.map(trimmed)
    var columns: [String: Int] = [:]
    for wanted in ["path", "label"] {
      let found = names.indices.filter { names[$0] == wanted }
      if found.count > 1 {
        throw .invalidLabelsFile(path: path, line: header.line, reason: "column \"\(wanted)\" appears twice")
      }
      columns[wanted] = found.first
    }
    guard let pathColumn = columns["path"], let labelColumn = columns["label"] else {
      let missing = ["path", "label"].filter { columns[$0] == nil }.map { "\"\($0)\"" }
      let listed = names.map(printable).joined(separator: ",")
      throw .invalidLabelsFile(
        path: path, line: header.line,
        reason: "no \(missing.joined(separator: " or ")) column; the first row must be a header "
          + "naming the path and label columns (it is: \(listed))")
    }

    var rows: [LabelsRow] = []
    var problems: [LabelsProblem] = []
    var firstLine: [String: Int] = [:]
    rows.reserveCapacity(records.count - 1)
    for record in records.dropFirst() {
      guard record.fields.count == header.fields.count else {
        let noun = record.fields.count == 1 ? "field" : "fields"
        problems.append(
          LabelsProblem(
            line: record.line, path: nil,
            reason: "\(record.fields.count) \(noun), the header has \(header.fields.count) "
              + "(enclose values that hold a comma in quotes)"))
        continue
      }
      let imagePath = trimmed(record.fields[pathColumn])
      let label = trimmed(record.fields[labelColumn])
      guard !imagePath.isEmpty else {
        problems.append(LabelsProblem(line: record.line, path: nil, reason: "empty path"))
        continue
      }
      if let first = firstLine[imagePath] {
        problems.append(
          LabelsProblem(line: record.line, path: imagePath, reason: "listed twice (first on line \(first))"))
        continue
      }
      firstLine[imagePath] = record.line
      if label.isEmpty {
        problems.append(LabelsProblem(line: record.line, path: imagePath, reason: "empty label"))
      } else if label.unicodeScalars.contains(where: isControl) {
        problems.append(
          LabelsProblem(line: record.line, path: imagePath, reason: "the label holds a control character"))
      } else {
        rows.append(LabelsRow(line: record.line, path: imagePath, label: label))
      }
    }
    return ParsedLabels(rows: rows, problems: problems)
  }

  /// What matching a labels file to a folder's images gives.
  package struct Match: Sendable, Equatable {
    /// Image path → label, for every image that has a row.
    package var labels: [String: String]
    /// Images without a row, in the order given (only when they are allowed).
    package var unlisted: [String]
  }

  /// Matches the rows of `parsed` to `images` (relative paths, in registration order).
  ///
  /// Every image must have exactly one row and every row must name an image; with
  /// `allowUnlisted`, images without a row are returned in ``Match/unlisted`` instead of being
  /// problems. Rows that name no image and paths listed twice are problems either way.
  ///
  /// - Throws: `StoreError.labelsMismatch` listing every problem: the rows' problems by line,
  ///   then the images without a row.
  package static func match(
    _ parsed: ParsedLabels, images: [String], allowUnlisted: Bool, path: String
  ) throws(StoreError) -> Match {
    let known = Set(images)
    var problems = parsed.problems
    // An image named by an unusable row is not "without a row": that row's problem is listed.
    var listed = Set(problems.compactMap(\.path))
    var labels: [String: String] = [:]
    labels.reserveCapacity(parsed.rows.count)
    for row in parsed.rows {
      listed.insert(row.path)
      guard known.contains(row.path) else {
        let hint = row.path.contains("\\") ? " (paths are /-separated)" : ""
        problems.append(LabelsProblem(line: row.line, path: row.path, reason: "no such image" + hint))
        continue
      }
      labels[row.path] = row.label
    }
    problems.sort { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
    var unlisted: [String] = []
    for image in images where !listed.contains(image) {
      if allowUnlisted {
        unlisted.append(image)
      } else {
        problems.append(LabelsProblem(line: nil, path: image, reason: "no row in the labels file"))
      }
    }
    guard problems.isEmpty else { throw .labelsMismatch(file: path, problems: problems) }
    return Match(labels: labels, unlisted: unlisted)
  }

  /// `text` without leading and trailing spaces and tabs.
  static func trimmed(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
      let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
    else { return "" }
    return String(scalars[start...end])
  }

  /// Whether a scalar is a C0 control character or DEL.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F
  }

  /// `text` with control characters escaped, so a listing stays one line per problem.
  static func printable(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}

/// Why a labels file could not be split into rows, and where.
struct CSVSyntaxError: Error {
  /// The line the problem is on.
  var line: Int
  /// What is wrong.
  var reason: String
}

/// Splits CSV bytes (RFC 4180, UTF-8) into records of fields, each with the line it starts on.
struct CSVReader {
  private static let quote = UInt8(ascii: "\"")
  private static let comma = UInt8(ascii: ",")
  private static let cr = UInt8(ascii: "\r")
  private static let lf = UInt8(ascii: "\n")

  private let bytes: [UInt8]
  private var index: Int
  private var line = 1

  /// A reader over `bytes`, past a UTF-8 byte order mark if there is one.
  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
  }

  /// Every record; blank lines are skipped.
  mutating func records() throws(CSVSyntaxError) -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var field: [UInt8] = []
    while index < bytes.count {
      if bytes[index] == Self.cr || bytes[index] == Self.lf {
        skipLineEnd()
        continue
      }
      let recordLine = line
      var fields: [String] = []
      while true {
        field.removeAll(keepingCapacity: true)
        let fieldLine = line
        if index < bytes.count && bytes[index] == Self.quote {
          try readQuoted(into: &field)
        } else {
          try readUnquoted(into: &field)
        }
        guard let text = String(validating: field, as: UTF8.self) else {
          throw CSVSyntaxError(line: fieldLine, reason: "not UTF-8 text")
        }
        fields.append(text)
        if index < bytes.count && bytes[index] == Self.comma {
          index += 1
          continue
        }
        skipLineEnd()
        break
      }
      records.append((recordLine, fields))
    }
    return records
  }

  /// Reads a quoted field, the opening quote at `index`; leaves `index` after the closing quote.
  private mutating func readQuoted(into field: inout [UInt8]) throws(CSVSyntaxError) {
    let openedOn = line
    index += 1
    while true {
      guard index < bytes.count else {
        throw CSVSyntaxError(line: openedOn, reason: "a quoted field opened on this line is never closed")
      }
      let byte = bytes[index]
      if byte == Self.quote {
        if index + 1 < bytes.count && bytes[index + 1] == Self.quote {
          field.append(Self.quote)
          index += 2
          continue
        }
        index += 1
        break
      }
      if byte == Self.lf || (byte == Self.cr && (index + 1 == bytes.count || bytes[index + 1] != Self.lf)) {
        line += 1
      }
      field.append(byte)
      index += 1
    }
    if index < bytes.count, ![Self.comma, Self.cr, Self.lf].contains(bytes[index]) {
      throw CSVSyntaxError(
        line: line, reason: "text after a closing quote (a quote inside a quoted field is written twice)")
    }
  }

  /// Reads an unquoted field up to the next comma or line end.
  private mutating func readUnquoted(into field: inout [UInt8]) throws(CSVSyntaxError) {
    while index < bytes.count {
      let byte = bytes[index]
      if byte == Self.comma || byte == Self.cr || byte == Self.lf { return }
      if byte == Self.quote {
        throw CSVSyntaxError(
          line: line,
          reason: "a quote inside an unquoted field (enclose the field in quotes and write the quote twice)")
      }
      field.append(byte)
      index += 1
    }
  }

  /// Steps over one line end (CRLF, LF or CR) at `index`, if there is one.
  private mutating func skipLineEnd() {
    guard index < bytes.count else { return }
    if bytes[index] == Self.cr {
      index += 1
      if index < bytes.count && bytes[index] == Self.lf { index += 1 }
      line += 1
    } else if bytes[index] == Self.lf {
      index += 1
      line += 1
    }
  }
}

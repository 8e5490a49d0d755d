/// A request's path and query, percent-decoded strictly and checked so that no segment or value
/// can name anything outside the store: `..` and `.` segments, encoded `/` or `\`, NUL and other
/// control characters, and malformed `%` escapes are refused.
struct RequestTarget: Equatable {
  /// The decoded path segments (empty segments dropped).
  var segments: [String]
  /// The decoded query parameters (the last of repeated keys wins).
  var query: [String: String]

  /// The longest request target accepted.
  static let maximumLength = 4096

  /// Parses the raw path and query of a request.
  ///
  /// - Throws: `RequestFailure` (400, or 414 for a too long target) naming what is wrong.
  init(path: String, query: String?) throws(RequestFailure) {
    guard path.utf8.count + (query?.utf8.count ?? 0) <= Self.maximumLength else {
      throw RequestFailure(
        status: .uriTooLong, message: "request target longer than \(Self.maximumLength) bytes")
    }
    guard path.hasPrefix("/") else { throw .badRequest("path must start with '/'") }
    segments = []
    for raw in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
      let segment = try Self.decode(raw, plusIsSpace: false, what: "path")
      if segment == "." || segment == ".." {
        throw .badRequest("path segment '\(segment)' is not allowed")
      }
      if segment.contains("/") || segment.contains("\\") {
        throw .badRequest("encoded '/' or '\\' in a path segment is not allowed")
      }
      segments.append(segment)
    }
    self.query = [:]
    for pair in (query ?? "").utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
      let key = try Self.decode(parts[0], plusIsSpace: true, what: "query")
      let value = parts.count > 1 ? try Self.decode(parts[1], plusIsSpace: true, what: "query") : ""
      self.query[key] = value
    }
  }

  /// Percent-decodes `bytes` into UTF-8 text without control characters.
  private static func decode(
    _ bytes: some Collection<UInt8>, plusIsSpace: Bool, what: String
  ) throws(RequestFailure) -> String {
    var decoded: [UInt8] = []
    decoded.reserveCapacity(bytes.count)
    var index = bytes.startIndex
    while index != bytes.endIndex {
      let byte = bytes[index]
      if byte == UInt8(ascii: "%") {
        let first = bytes.index(after: index)
        guard first != bytes.endIndex, let high = hexValue(bytes[first]) else {
          throw .badRequest("bad percent-encoding in the \(what)")
        }
        let second = bytes.index(after: first)
        guard second != bytes.endIndex, let low = hexValue(bytes[second]) else {
          throw .badRequest("bad percent-encoding in the \(what)")
        }
        decoded.append(high << 4 | low)
        index = bytes.index(after: second)
        continue
      }
      decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
      index = bytes.index(after: index)
    }
    if decoded.contains(0) { throw .badRequest("NUL in the \(what) is not allowed") }
    if decoded.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
      throw .badRequest("control character in the \(what) is not allowed")
    }
    guard let text = String(validating: decoded, as: UTF8.self) else {
      throw .badRequest("the \(what) is not valid UTF-8")
    }
    return text
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// A run or dataset name: letters, digits, '.', '_', '-', not starting with '.' (the catalog's rule).
  static func name(_ text: String, kind: String) throws(RequestFailure) -> String {
    guard (1...128).contains(text.utf8.count), !text.hasPrefix("."),
      text.utf8.allSatisfy({ byte in
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
          || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
          || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
          || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
      })
    else {
      throw .badRequest("invalid \(kind) name '\(text.prefix(64))'")
    }
    return text
  }

  /// A non-negative integer (an epoch, a sample index, an offset).
  static func index(_ text: String, kind: String) throws(RequestFailure) -> Int {
    guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
      let value = Int(text)
    else {
      throw .badRequest("invalid \(kind) '\(text.prefix(64))': use a non-negative integer")
    }
    return value
  }

  /// A version segment `vN`.
  static func version(_ text: String) throws(RequestFailure) -> Int {
    guard text.hasPrefix("v") else { throw .badRequest("invalid version '\(text.prefix(64))': use vN") }
    return try index(String(text.dropFirst()), kind: "version")
  }

  /// The optional integer query parameter `key`.
  func integer(_ key: String) throws(RequestFailure) -> Int? {
    guard let text = query[key], !text.isEmpty else { return nil }
    return try Self.index(text, kind: key)
  }

  /// The optional boolean query parameter `key` (`1`, `true`, `on` or `yes`).
  func flag(_ key: String) throws(RequestFailure) -> Bool {
    guard let text = query[key], !text.isEmpty else { return false }
    switch text.lowercased() {
    case "1", "true", "on", "yes": return true
    case "0", "false", "off", "no": return false
    default: throw .badRequest("invalid \(key) '\(text.prefix(64))': use 1 or 0")
    }
  }
}

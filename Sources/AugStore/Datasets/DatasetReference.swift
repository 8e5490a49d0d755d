import AugStoreCatalog

/// Names augstore accepts for datasets and tags.
///
/// A name is 1 to 128 characters from `A–Z a–z 0–9 . _ -`, starting with a letter or digit. Names
/// are stored verbatim and only ever bound as SQL parameters; the rule keeps them safe to use as
/// folder names and unambiguous in `NAME@vN` references (no `@`, `/`, spaces or quotes).
public enum Names {
  /// Whether `name` is an acceptable dataset or tag name.
  public static func isValid(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
    guard isAlphanumeric(first) else { return false }
    return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
  }

  /// Throws unless `name` is a valid dataset name.
  public static func checkDataset(_ name: String) throws(StoreError) {
    guard isValid(name) else { throw .invalidName(kind: "dataset", name: name) }
  }

  /// Throws unless `name` is a valid pipeline name.
  public static func checkPipeline(_ name: String) throws(StoreError) {
    guard isValid(name) else { throw .invalidName(kind: "pipeline", name: name) }
  }

  /// Throws unless `name` is a valid run name.
  public static func checkRun(_ name: String) throws(StoreError) {
    guard isValid(name) else { throw .invalidName(kind: "run", name: name) }
  }

  /// Throws unless `name` is a valid tag name (a valid name that does not look like `vN`).
  public static func checkTag(_ name: String) throws(StoreError) {
    guard isValid(name), versionNumber(name) == nil else { throw .invalidName(kind: "tag", name: name) }
  }

  /// The N of a `vN` version label, or `nil`.
  static func versionNumber(_ text: Substring) -> Int? {
    guard text.first == "v", text.count > 1, text.dropFirst().allSatisfy(\.isASCII) else { return nil }
    guard let number = Int(text.dropFirst()), number >= 1 else { return nil }
    return number
  }

  static func versionNumber(_ text: String) -> Int? { versionNumber(Substring(text)) }

  private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
  }
}

/// A dataset version as written on the command line: `NAME`, `NAME@vN` or `NAME@TAG`.
public struct DatasetReference: Sendable, Equatable, CustomStringConvertible {
  /// The dataset's name.
  public var name: String
  /// Which version.
  public var selector: VersionSelector

  /// Parses `NAME`, `NAME@vN` or `NAME@TAG`.
  public init(parsing text: String) throws(StoreError) {
    let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    guard let first = parts.first, Names.isValid(String(first)) else {
      throw .invalidReference(text)
    }
    name = String(first)
    if parts.count == 1 {
      selector = .latest
    } else if let number = Names.versionNumber(parts[1]) {
      selector = .number(number)
    } else if Names.isValid(String(parts[1])) {
      selector = .tag(String(parts[1]))
    } else {
      throw .invalidReference(text)
    }
  }

  /// Names a dataset version.
  public init(name: String, selector: VersionSelector) {
    self.name = name
    self.selector = selector
  }

  /// The reference as the user would write it.
  public var description: String {
    switch selector {
    case .latest: return name
    case .number(let number): return "\(name)@v\(number)"
    case .tag(let tag): return "\(name)@\(tag)"
    }
  }
}

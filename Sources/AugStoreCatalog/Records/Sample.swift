import GRDB

/// One sample of a dataset version: a relative path, the object it holds, and its label.
public struct Sample: Codable, Sendable, Equatable, FetchableRecord {
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

  /// The sample's 0-based index in its version (versions are sorted by path).
  public var position: Int
  /// Path relative to the folder the version was added from, `/`-separated.
  public var path: String
  /// SHA-256 of the original file.
  public var objectHash: String
  /// The class label, or `nil` for unlabelled datasets.
  public var label: String?

  /// Describes a sample.
  public init(position: Int, path: String, objectHash: String, label: String?) {
    self.position = position
    self.path = path
    self.objectHash = objectHash
    self.label = label
  }
}

extension Sample {
  /// Reads a row of `samples` by column name (the snake_case form of each property name), the
  /// values `Decodable` reads: without its coding keys, whose first use looks them up among every
  /// protocol conformance of the binary (a `history` process reads only a few rows).
  public init(row: Row) throws {
    position = try row.decode(forColumn: "position")
    path = try row.decode(forColumn: "path")
    objectHash = try row.decode(forColumn: "object_hash")
    label = try row.decode(forColumn: "label")
  }
}

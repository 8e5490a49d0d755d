import GRDB

/// One version of a named augmentation pipeline, stored as canonical JSON.
public struct Pipeline: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  /// The table that holds pipelines.
  public static let databaseTableName = "pipelines"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// Row id; `nil` until inserted.
  public var id: Int64?
  /// The pipeline's name.
  public var name: String
  /// 1 for the first spec stored under the name, 2 for the next different one, …
  public var version: Int
  /// Lowercase hex SHA-256 of `spec`.
  public var fingerprint: String
  /// The canonical JSON of the spec.
  public var spec: String
  /// When it was stored (ISO 8601).
  public var createdAt: String

  /// Describes a pipeline version.
  public init(
    id: Int64? = nil, name: String, version: Int, fingerprint: String, spec: String, createdAt: String
  ) {
    self.id = id
    self.name = name
    self.version = version
    self.fingerprint = fingerprint
    self.spec = spec
    self.createdAt = createdAt
  }

  /// Takes the row id SQLite assigned.
  public mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}

extension Pipeline {
  /// Reads a row of `pipelines` by column name (the snake_case form of each property name), the
  /// values `Decodable` reads: without its coding keys, whose first use looks them up among every
  /// protocol conformance of the binary (a `history` process reads only a few rows).
  public init(row: Row) throws {
    id = try row.decode(forColumn: "id")
    name = try row.decode(forColumn: "name")
    version = try row.decode(forColumn: "version")
    fingerprint = try row.decode(forColumn: "fingerprint")
    spec = try row.decode(forColumn: "spec")
    createdAt = try row.decode(forColumn: "created_at")
  }
}

import GRDB

/// A named dataset: a series of immutable versions.
public struct Dataset: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  /// The table that holds datasets.
  public static let databaseTableName = "datasets"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// Row id; `nil` until inserted.
  public var id: Int64?
  /// The dataset's name, unique in the store.
  public var name: String
  /// When the dataset was created (ISO 8601).
  public var createdAt: String

  /// Describes a dataset not yet inserted.
  public init(id: Int64? = nil, name: String, createdAt: String) {
    self.id = id
    self.name = name
    self.createdAt = createdAt
  }

  /// Takes the row id SQLite assigned.
  public mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}

extension Dataset {
  /// Reads a row of `datasets` by column name (the snake_case form of each property name), the
  /// values `Decodable` reads: without its coding keys, whose first use looks them up among every
  /// protocol conformance of the binary (a `history` process reads only a few rows).
  public init(row: Row) throws {
    id = try row.decode(forColumn: "id")
    name = try row.decode(forColumn: "name")
    createdAt = try row.decode(forColumn: "created_at")
  }
}

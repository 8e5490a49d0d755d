import GRDB

/// A name that points at one version of a dataset.
public struct Tag: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  /// The table that holds tags.
  public static let databaseTableName = "tags"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// The dataset the tag belongs to.
  public var datasetId: Int64
  /// The tag's name, unique within its dataset.
  public var name: String
  /// The version it points at.
  public var versionId: Int64
  /// When the tag was created (ISO 8601).
  public var createdAt: String

  /// Describes a tag.
  public init(datasetId: Int64, name: String, versionId: Int64, createdAt: String) {
    self.datasetId = datasetId
    self.name = name
    self.versionId = versionId
    self.createdAt = createdAt
  }
}

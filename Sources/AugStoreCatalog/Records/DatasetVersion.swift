import GRDB

/// One immutable version of a dataset: an ordered list of samples.
public struct DatasetVersion: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  /// The table that holds versions.
  public static let databaseTableName = "dataset_versions"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// Row id; `nil` until inserted.
  public var id: Int64?
  /// The dataset this version belongs to.
  public var datasetId: Int64
  /// The version number: 1 for v1, 2 for v2, …
  public var number: Int
  /// The message given when the version was added, if any.
  public var message: String?
  /// How many samples the version holds.
  public var sampleCount: Int
  /// The summed size of the samples' original files.
  public var totalBytes: Int
  /// SHA-256 over the (path, object, label) list; equal digests mean equal content.
  public var contentDigest: String
  /// When the version was created (ISO 8601).
  public var createdAt: String

  /// Describes a version.
  public init(
    id: Int64? = nil, datasetId: Int64, number: Int, message: String?, sampleCount: Int,
    totalBytes: Int, contentDigest: String, createdAt: String
  ) {
    self.id = id
    self.datasetId = datasetId
    self.number = number
    self.message = message
    self.sampleCount = sampleCount
    self.totalBytes = totalBytes
    self.contentDigest = contentDigest
    self.createdAt = createdAt
  }

  /// Takes the row id SQLite assigned.
  public mutating func didInsert(_ inserted: InsertionSuccess) {
    id = inserted.rowID
  }
}

extension DatasetVersion {
  /// Reads a row of `dataset_versions` by column name (the snake_case form of each property name), the
  /// values `Decodable` reads: without its coding keys, whose first use looks them up among every
  /// protocol conformance of the binary (a `history` process reads only a few rows).
  public init(row: Row) throws {
    id = try row.decode(forColumn: "id")
    datasetId = try row.decode(forColumn: "dataset_id")
    number = try row.decode(forColumn: "number")
    message = try row.decode(forColumn: "message")
    sampleCount = try row.decode(forColumn: "sample_count")
    totalBytes = try row.decode(forColumn: "total_bytes")
    contentDigest = try row.decode(forColumn: "content_digest")
    createdAt = try row.decode(forColumn: "created_at")
  }
}

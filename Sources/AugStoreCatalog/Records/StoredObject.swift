import GRDB

/// One original file in the object store, addressed by the SHA-256 of its bytes.
public struct StoredObject: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  /// The table that holds objects.
  public static let databaseTableName = "objects"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// Lowercase hex SHA-256 of the file's bytes.
  public var hash: String
  /// The file's size in bytes.
  public var size: Int
  /// Decoded image width in pixels.
  public var width: Int
  /// Decoded image height in pixels.
  public var height: Int
  /// Decoded channel count (1 to 4).
  public var channels: Int
  /// When the object was first stored (ISO 8601).
  public var createdAt: String
  /// The file format, recognised by signature: `png` or `jpeg`.
  public var format: String
  /// A JPEG's EXIF Orientation tag (1 to 8) as the file records it; `nil` without one. Pixels are
  /// used as stored, never rotated.
  public var orientation: Int?

  /// Describes an object.
  public init(
    hash: String, size: Int, width: Int, height: Int, channels: Int, createdAt: String,
    format: String = "png",
    orientation: Int? = nil
  ) {
    self.hash = hash
    self.size = size
    self.width = width
    self.height = height
    self.channels = channels
    self.createdAt = createdAt
    self.format = format
    self.orientation = orientation
  }
}

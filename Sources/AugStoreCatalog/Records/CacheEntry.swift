import Foundation
import GRDB

/// One file of the tensor cache: its key, the digest of its bytes, its size and when it was used.
public struct CacheEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
  /// The table that holds cache entries.
  public static let databaseTableName = "cache_entries"
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
  /// Column names are the snake_case form of the property names.
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

  /// SHA-256 of everything that determines the tensor (32 bytes).
  public var key: Data
  /// SHA-256 of the `.npy` file's bytes (32 bytes).
  public var digest: Data
  /// The file's size in bytes.
  public var size: Int
  /// When the file was written (ISO 8601).
  public var createdAt: String
  /// When the file was last written or served (ISO 8601); garbage collection removes the oldest first.
  public var lastUsedAt: String

  /// Describes a cache entry.
  public init(key: Data, digest: Data, size: Int, createdAt: String, lastUsedAt: String) {
    self.key = key
    self.digest = digest
    self.size = size
    self.createdAt = createdAt
    self.lastUsedAt = lastUsedAt
  }
}

/// Totals of the tensor cache.
public struct CacheTotals: Sendable, Equatable, Codable {
  /// Files in the cache index.
  public var entries: Int
  /// Their summed size.
  public var bytes: Int
  /// Reads served from the cache since the store was created.
  public var hits: Int
  /// Tensors that had to be computed because no entry existed.
  public var misses: Int
  /// Entries found missing or damaged and rebuilt.
  public var rebuilt: Int

  /// Describes the cache's totals.
  public init(entries: Int, bytes: Int, hits: Int, misses: Int, rebuilt: Int) {
    self.entries = entries
    self.bytes = bytes
    self.hits = hits
    self.misses = misses
    self.rebuilt = rebuilt
  }
}

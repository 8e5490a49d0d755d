import AugStoreCatalog
import Foundation

// Not yet on PostgreSQL (records and cache index); each method throws until implemented.
extension PostgresCatalog {
  public func recordedEpochs(run: Run) throws -> [RecordedEpoch] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func writeEpoch(run: Run, _ epoch: EpochRecords) throws -> Bool {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func history(run: Run, sample: Int, epochs: [Int]?) throws -> [StoredRecord] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func records(run: Run, epoch: Int, samples: [Int]) throws -> [StoredRecord] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func blocks(run: Run, block: Int, epochs: [Int]) throws -> [RecordBlock] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func forEachBlockAcrossEpochs(run: Run, epochs: [Int], _ body: ([RecordBlock]) throws -> Void) throws
  {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func forEachBlock(run: Run, epoch: Int, _ body: (RecordBlock) throws -> Void) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func epochOrder(run: Run, epoch: Int) throws -> [Int] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func setTensorDigests(run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func materializedCount(run: Run, epoch: Int) throws -> Int {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func tensorDigests(run: Run, epoch: Int, samples: [Int]?) throws -> [Int: [UInt8]] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func commitRendered(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], hits: Int, misses: Int, rebuilt: Int, exists: (CacheEntry) -> Bool
  ) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func commitDelivery(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], exists: (CacheEntry) -> Bool
  ) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func recordCacheWrites(
    _ entries: [CacheEntry], hits: Int, misses: Int, rebuilt: Int, exists: ((CacheEntry) -> Bool)?
  ) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func touchCacheEntries(_ keys: [Data], hits: Int, misses: Int, rebuilt: Int) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func cacheEntries(keys: [Data]) throws -> [Data: CacheEntry] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func cacheEntriesByAge() throws -> [CacheEntry] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func deleteCacheEntries(_ keys: [Data]) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func removeUnindexedCacheFiles(_ keys: [Data], remove: (Data) -> Void) throws -> [Data] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func cacheTotals() throws -> CacheTotals {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
}

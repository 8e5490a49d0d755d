import Foundation

/// What a store asks of its catalog, whatever engine keeps it: SQLite (``Catalog``, the embedded
/// default) or PostgreSQL (`PostgresCatalog`, for many hosts sharing one store).
///
/// Every method is one transaction: a write either commits as a whole or changes nothing, and a read
/// sees one consistent state. Several processes (and hosts, for a server backend) may use one catalog
/// at once; writers queue behind each other. Errors are `CatalogError`s: `.database` names the
/// catalog (``location``) and never carries a password.
public protocol CatalogBackend: AnyObject, Sendable {
  /// Where the catalog lives, as shown in messages: the SQLite file's path, or the server's URL
  /// without its password.
  var location: String { get }

  /// The schema version the catalog is at.
  func schemaVersion() throws -> Int
  /// Problems found by the engine's own consistency check (`["ok"]` when there are none).
  func integrityCheck() throws -> [String]
  /// Runs one read-only SQL statement in the engine's own dialect (`augstore sql`).
  func query(readOnlySQL sql: String) throws -> QueryResult

  // MARK: Datasets

  /// Commits a new version of a dataset, with its new objects and samples (see ``Catalog``).
  func commitVersion(_ new: NewVersion) throws -> VersionCommit
  /// Every dataset, by name.
  func datasets() throws -> [Dataset]
  /// The dataset with this name (`CatalogError.datasetNotFound` otherwise).
  func dataset(named name: String) throws -> Dataset
  /// A dataset's versions, oldest first.
  func versions(of dataset: Dataset) throws -> [DatasetVersion]
  /// The version a selector names (`CatalogError.versionNotFound` otherwise).
  func version(of dataset: Dataset, _ selector: VersionSelector) throws -> DatasetVersion
  /// A dataset's tags, by name.
  func tags(of dataset: Dataset) throws -> [Tag]
  /// Points a tag at a version.
  func setTag(_ name: String, of dataset: Dataset, to version: DatasetVersion) throws
  /// A version's samples in position order.
  func samples(in version: DatasetVersion) throws -> [Sample]
  /// Calls `body` with each sample in position order, with its image size when `withSizes`.
  func forEachSample(
    in version: DatasetVersion, withSizes: Bool,
    _ body: (Sample, _ size: (width: Int, height: Int)?) throws -> Void
  ) throws
  /// The number of samples per label, by label.
  func labelCounts(in version: DatasetVersion) throws -> [(label: String?, count: Int)]
  /// The number of samples per image format and per EXIF orientation.
  func imageKinds(in version: DatasetVersion) throws -> (formats: [String: Int], orientations: [Int: Int])
  /// The stored objects among `hashes`, by hash.
  func objects(hashes: [String]) throws -> [String: StoredObject]
  /// Every stored object, by hash.
  func allObjects() throws -> [StoredObject]
  /// Each sample's image size and path, in position order.
  func imageSizes(in version: DatasetVersion) throws -> [(width: Int, height: Int, path: String)]
  /// Each sample's path and image size, in position order.
  func sampleImages(in version: DatasetVersion) throws -> [(path: String, width: Int, height: Int)]
  /// The sample at `position`, if any.
  func sample(in version: DatasetVersion, position: Int) throws -> Sample?
  /// The sample with this path, if any.
  func sample(in version: DatasetVersion, path: String) throws -> Sample?
  /// The dataset version with this row id, with its dataset.
  func datasetVersion(id: Int64) throws -> (Dataset, DatasetVersion)

  // MARK: Pipelines and runs

  /// Commits a pipeline spec under `name` (a new version only when the fingerprint is new).
  func commitPipeline(name: String, fingerprint: String, canonicalSpec: String) throws -> PipelineCommit
  /// The pipeline with this name (its newest version unless `version` is given).
  func pipeline(named name: String, version: Int?) throws -> Pipeline
  /// The pipeline with this row id.
  func pipeline(id: Int64) throws -> Pipeline
  /// Every pipeline version, by name then version.
  func pipelines() throws -> [Pipeline]
  /// Creates a run (`CatalogError.runExists` if the name is taken).
  func createRun(_ run: Run) throws -> Run
  /// The run with this name (`CatalogError.runNotFound` otherwise).
  func run(named name: String) throws -> Run
  /// Every run, by name.
  func runs() throws -> [Run]

  // MARK: Records

  /// A run's recorded epochs.
  func recordedEpochs(run: Run) throws -> [RecordedEpoch]
  /// Writes one epoch's records; `false` if the epoch was recorded already (nothing changes).
  func writeEpoch(run: Run, _ epoch: EpochRecords) throws -> Bool
  /// One sample's records in the given epochs (every recorded epoch when `nil`).
  func history(run: Run, sample: Int, epochs: [Int]?) throws -> [StoredRecord]
  /// The records of `samples` in one epoch.
  func records(run: Run, epoch: Int, samples: [Int]) throws -> [StoredRecord]
  /// Record block `block` of each epoch in `epochs`.
  func blocks(run: Run, block: Int, epochs: [Int]) throws -> [RecordBlock]
  /// Calls `body` with each block index's blocks across `epochs`, in block order.
  func forEachBlockAcrossEpochs(run: Run, epochs: [Int], _ body: ([RecordBlock]) throws -> Void) throws
  /// Calls `body` with each record block of one epoch, in block order.
  func forEachBlock(run: Run, epoch: Int, _ body: (RecordBlock) throws -> Void) throws
  /// The epoch's delivery order: the sample at each step.
  func epochOrder(run: Run, epoch: Int) throws -> [Int]
  /// Stores tensor digests for samples of one epoch (first digest wins).
  func setTensorDigests(run: Run, epoch: Int, _ digests: [(sample: Int, digest: [UInt8])]) throws
  /// The number of samples of the epoch with a tensor digest.
  func materializedCount(run: Run, epoch: Int) throws -> Int
  /// The epoch's tensor digests by sample (of `samples`, or all when `nil`).
  func tensorDigests(run: Run, epoch: Int, samples: [Int]?) throws -> [Int: [UInt8]]
  /// Commits what `materialize` rendered: digests, cache writes, touched keys and counters.
  func commitRendered(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], hits: Int, misses: Int, rebuilt: Int, exists: (CacheEntry) -> Bool
  ) throws
  /// Commits what the loader delivered: digests, cache writes and touched keys.
  func commitDelivery(
    run: Run, epoch: Int, digests: [(sample: Int, digest: [UInt8])], cacheWrites: [CacheEntry],
    touched: [Data], exists: (CacheEntry) -> Bool
  ) throws

  // MARK: Cache index

  /// Indexes cache files written (skipping entries `exists` says are gone) and bumps the counters.
  func recordCacheWrites(
    _ entries: [CacheEntry], hits: Int, misses: Int, rebuilt: Int, exists: ((CacheEntry) -> Bool)?
  ) throws
  /// Marks entries used now and bumps the counters.
  func touchCacheEntries(_ keys: [Data], hits: Int, misses: Int, rebuilt: Int) throws
  /// The indexed entries among `keys`.
  func cacheEntries(keys: [Data]) throws -> [Data: CacheEntry]
  /// Every indexed entry, least recently used first.
  func cacheEntriesByAge() throws -> [CacheEntry]
  /// Removes entries from the index.
  func deleteCacheEntries(_ keys: [Data]) throws
  /// Calls `remove` for each of `keys` the index does not hold, in one transaction; returns them.
  func removeUnindexedCacheFiles(_ keys: [Data], remove: (Data) -> Void) throws -> [Data]
  /// The index's totals and counters.
  func cacheTotals() throws -> CacheTotals
}

extension CatalogBackend {
  /// Calls `body` with each sample in position order.
  public func forEachSample(
    in version: DatasetVersion, _ body: (Sample, _ size: (width: Int, height: Int)?) throws -> Void
  )
    throws
  {
    try forEachSample(in: version, withSizes: false, body)
  }

  /// The newest version of the pipeline with this name.
  public func pipeline(named name: String) throws -> Pipeline {
    try pipeline(named: name, version: nil)
  }

  /// One sample's records in every recorded epoch.
  public func history(run: Run, sample: Int) throws -> [StoredRecord] {
    try history(run: run, sample: sample, epochs: nil)
  }

  /// The epoch's tensor digests of every sample.
  public func tensorDigests(run: Run, epoch: Int) throws -> [Int: [UInt8]] {
    try tensorDigests(run: run, epoch: epoch, samples: nil)
  }
}

extension Catalog: CatalogBackend {
  /// The SQLite file's path.
  public var location: String { path }
}

import AugStoreCatalog
import Foundation

// Not yet on PostgreSQL (datasets, pipelines, runs); each method throws until implemented.
extension PostgresCatalog {
  public func integrityCheck() throws -> [String] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func query(readOnlySQL sql: String) throws -> QueryResult {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func commitVersion(_ new: NewVersion) throws -> VersionCommit {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func datasets() throws -> [Dataset] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func dataset(named name: String) throws -> Dataset {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func versions(of dataset: Dataset) throws -> [DatasetVersion] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func version(of dataset: Dataset, _ selector: VersionSelector) throws -> DatasetVersion {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func tags(of dataset: Dataset) throws -> [Tag] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func setTag(_ name: String, of dataset: Dataset, to version: DatasetVersion) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func samples(in version: DatasetVersion) throws -> [Sample] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func forEachSample(
    in version: DatasetVersion, withSizes: Bool,
    _ body: (Sample, _ size: (width: Int, height: Int)?) throws -> Void
  ) throws {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func labelCounts(in version: DatasetVersion) throws -> [(label: String?, count: Int)] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func imageKinds(
    in version: DatasetVersion
  ) throws -> (formats: [String: Int], orientations: [Int: Int]) {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func objects(hashes: [String]) throws -> [String: StoredObject] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func allObjects() throws -> [StoredObject] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func imageSizes(in version: DatasetVersion) throws -> [(width: Int, height: Int, path: String)] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func sampleImages(in version: DatasetVersion) throws -> [(path: String, width: Int, height: Int)] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func sample(in version: DatasetVersion, position: Int) throws -> Sample? {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func sample(in version: DatasetVersion, path: String) throws -> Sample? {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func datasetVersion(id: Int64) throws -> (Dataset, DatasetVersion) {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func commitPipeline(
    name: String, fingerprint: String, canonicalSpec: String
  ) throws -> PipelineCommit {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func pipeline(named name: String, version: Int?) throws -> Pipeline {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func pipeline(id: Int64) throws -> Pipeline {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func pipelines() throws -> [Pipeline] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func createRun(_ run: Run) throws -> Run {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func run(named name: String) throws -> Run {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
  public func runs() throws -> [Run] {
    throw CatalogError.database(path: location, message: "not implemented on PostgreSQL")
  }
}

import Foundation

/// Errors raised by the catalog, each naming the catalog file or the object at fault.
public enum CatalogError: Error, LocalizedError, Equatable, Sendable {
  /// The catalog was written by a newer augstore whose schema this binary does not know.
  case schemaTooNew(path: String, catalogVersion: Int, supportedVersion: Int)
  /// SQLite refused an operation; `message` is SQLite's own text.
  case database(path: String, message: String)
  /// No dataset has this name.
  case datasetNotFound(name: String)
  /// The dataset exists but has no such version.
  case versionNotFound(dataset: String, version: Int)
  /// The dataset exists but has no such tag.
  case tagNotFound(dataset: String, tag: String)
  /// The tag already points at another version of the dataset.
  case tagExists(dataset: String, tag: String, version: Int)
  /// No pipeline has this name (or this version).
  case pipelineNotFound(name: String, version: Int?)
  /// No run has this name.
  case runNotFound(name: String)
  /// A run with this name exists; runs are immutable.
  case runExists(name: String)
  /// The run has no records for this epoch yet.
  case epochNotRecorded(run: String, epoch: Int)
  /// The run's recorded epochs have no sample with this index (`count` samples).
  case sampleOutOfRange(run: String, sample: Int, count: Int)
  /// A tensor digest that is not a 32-byte SHA-256.
  case invalidDigest(run: String, epoch: Int, sample: Int, byteCount: Int)
  /// Stored records that cannot be read back.
  case corruptRecords(run: String, epoch: Int, block: Int, reason: String)
  /// A statement refused by the read-only SQL connection (`augstore sql`).
  case readOnlySQL(statement: String)

  /// A one-line description naming the catalog, dataset, version or tag.
  public var errorDescription: String? {
    switch self {
    case .schemaTooNew(let path, let catalogVersion, let supportedVersion):
      return "\(path): catalog schema version \(catalogVersion) is newer than this augstore supports "
        + "(schema version \(supportedVersion)); upgrade augstore to open it"
    case .database(let path, let message):
      return "\(path): \(message)"
    case .datasetNotFound(let name):
      return "no dataset named \"\(name)\""
    case .versionNotFound(let dataset, let version):
      return "dataset \"\(dataset)\" has no version v\(version)"
    case .tagNotFound(let dataset, let tag):
      return "dataset \"\(dataset)\" has no tag \"\(tag)\""
    case .tagExists(let dataset, let tag, let version):
      return "tag \"\(tag)\" of dataset \"\(dataset)\" already points at v\(version)"
    case .pipelineNotFound(let name, let version):
      if let version { return "pipeline \"\(name)\" has no version v\(version)" }
      return "no pipeline named \"\(name)\" (add one with `augstore pipeline add \(name) --spec FILE.json`)"
    case .runNotFound(let name):
      return "no run named \"\(name)\" (create one with `augstore run create \(name) …`)"
    case .runExists(let name):
      return "run \"\(name)\" already exists; runs are immutable, choose another name"
    case .epochNotRecorded(let run, let epoch):
      return "run \"\(run)\" has no records for epoch \(epoch) "
        + "(record it with `augstore record \(run) --epochs \(epoch)`)"
    case .sampleOutOfRange(let run, let sample, let count):
      return
        "run \"\(run)\" has no sample \(sample) (its dataset version has \(count) samples, 0-\(max(count - 1, 0)))"
    case .invalidDigest(let run, let epoch, let sample, let byteCount):
      return
        "run \"\(run)\" epoch \(epoch) sample \(sample): a tensor digest must be 32 bytes, got \(byteCount)"
    case .corruptRecords(let run, let epoch, let block, let reason):
      return "run \"\(run)\" epoch \(epoch): records of block \(block) cannot be read: \(reason)"
    case .readOnlySQL(let statement):
      return "augstore sql is read-only; refused: \(statement)"
    }
  }
}

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
    }
  }
}

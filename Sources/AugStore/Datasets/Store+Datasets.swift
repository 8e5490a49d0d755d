import AugStoreCatalog
import Foundation

/// A dataset with its versions and tags, as `dataset list` shows it.
public struct DatasetListing: Sendable, Equatable {
  /// The dataset.
  public var dataset: Dataset
  /// Its versions, oldest first.
  public var versions: [DatasetVersion]
  /// Tag name → version number.
  public var tags: [String: Int]
}

/// One version's summary, as `dataset show` gives it.
public struct DatasetSummary: Sendable, Equatable {
  /// The dataset.
  public var dataset: Dataset
  /// The version shown.
  public var version: DatasetVersion
  /// Tags pointing at this version.
  public var tags: [String]
  /// Label → number of samples (`nil` label: unlabelled samples).
  public var labels: [(label: String?, count: Int)]
  /// File format (`png`, `jpeg`) → number of samples.
  public var formats: [String: Int] = [:]
  /// EXIF orientation tag (1 to 8) → number of samples whose JPEG carries it. Pixels are used as
  /// stored; the tag is kept so that a user can see which images a viewer would rotate.
  public var orientations: [Int: Int] = [:]

  /// Compares everything, labels included.
  public static func == (lhs: DatasetSummary, rhs: DatasetSummary) -> Bool {
    lhs.dataset == rhs.dataset && lhs.version == rhs.version && lhs.tags == rhs.tags
      && lhs.labels.map(\.label) == rhs.labels.map(\.label)
      && lhs.labels.map(\.count) == rhs.labels.map(\.count) && lhs.formats == rhs.formats
      && lhs.orientations == rhs.orientations
  }
}

/// How two versions differ, by relative path.
public struct DatasetDiff: Sendable, Equatable, Codable {
  /// Paths only in the second version.
  public var added: [String]
  /// Paths only in the first version.
  public var removed: [String]
  /// Paths in both whose content or label changed.
  public var changed: [String]
}

extension Store {
  /// Every dataset with its versions and tags, by name.
  public func listDatasets() throws -> [DatasetListing] {
    try catalog.datasets().map { dataset in
      let versions = try catalog.versions(of: dataset)
      let numbers = Dictionary(uniqueKeysWithValues: versions.compactMap { v in v.id.map { ($0, v.number) } })
      var tags: [String: Int] = [:]
      for tag in try catalog.tags(of: dataset) {
        tags[tag.name] = numbers[tag.versionId]
      }
      return DatasetListing(dataset: dataset, versions: versions, tags: tags)
    }
  }

  /// The dataset and version a reference names.
  public func resolve(_ reference: DatasetReference) throws -> (Dataset, DatasetVersion) {
    let dataset = try catalog.dataset(named: reference.name)
    return (dataset, try catalog.version(of: dataset, reference.selector))
  }

  /// Sample count, labels, bytes and tags of one version.
  public func summary(of reference: DatasetReference) throws -> DatasetSummary {
    let (dataset, version) = try resolve(reference)
    let tags = try catalog.tags(of: dataset).filter { $0.versionId == version.id }.map(\.name)
    let kinds = try catalog.imageKinds(in: version)
    return DatasetSummary(
      dataset: dataset, version: version, tags: tags, labels: try catalog.labelCounts(in: version),
      formats: kinds.formats, orientations: kinds.orientations)
  }

  /// The samples of one version, in order.
  public func samples(of reference: DatasetReference) throws -> [Sample] {
    let (_, version) = try resolve(reference)
    return try catalog.samples(in: version)
  }

  /// Added, removed and changed paths going from `first` to `second`.
  public func diff(_ first: DatasetReference, _ second: DatasetReference) throws -> DatasetDiff {
    let before = try samples(of: first)
    let after = try samples(of: second)
    let old = Dictionary(before.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let new = Dictionary(after.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let order: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    return DatasetDiff(
      added: after.map(\.path).filter { old[$0] == nil }.sorted(by: order),
      removed: before.map(\.path).filter { new[$0] == nil }.sorted(by: order),
      changed: after.filter { sample in
        guard let previous = old[sample.path] else { return false }
        return previous.objectHash != sample.objectHash || previous.label != sample.label
      }.map(\.path).sorted(by: order))
  }

  /// Points tag `name` at the version `reference` names.
  public func tag(_ reference: DatasetReference, as name: String) throws -> DatasetVersion {
    try Names.checkTag(name)
    let (dataset, version) = try resolve(reference)
    try catalog.setTag(name, of: dataset, to: version)
    return version
  }

  /// Writes the version's originals under `folder`, at their relative paths, byte for byte.
  ///
  /// Nothing is written if any target file exists already or any object is missing or damaged:
  /// all objects are checked first. Each file is written under a temporary name and renamed.
  ///
  /// - Returns: the number of files written.
  @discardableResult
  public func export(
    _ reference: DatasetReference, to folder: String, progress: ProgressHandler? = nil
  )
    throws -> Int
  {
    let samples = try samples(of: reference)
    for sample in samples {
      let target = folder + "/" + sample.path
      guard FileIO.kind(target) == .missing else { throw StoreError.exportTargetExists(path: target) }
      let object = objects.path(of: sample.objectHash)
      guard objects.contains(sample.objectHash) else {
        throw StoreError.objectMissing(hash: sample.objectHash, path: object)
      }
    }
    try FileIO.makeDirectory(folder)
    for (index, sample) in samples.enumerated() {
      let bytes = try objects.read(sample.objectHash)
      let target = folder + "/" + sample.path
      let parent = (target as NSString).deletingLastPathComponent
      try FileIO.makeDirectory(parent)
      let temporary = parent + "/.augstore-export-\(getpid())-\(index)"
      try FileIO.writeNew(temporary, bytes, sync: false)
      try FileIO.rename(temporary, to: target)
      progress?(ProgressUpdate(phase: "exporting", completed: index + 1, total: samples.count))
    }
    return samples.count
  }
}

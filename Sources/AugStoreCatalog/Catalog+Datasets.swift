import Foundation
import GRDB

/// A sample about to be registered in a new version.
public struct NewSample: Sendable, Equatable {
  /// Path relative to the source folder, `/`-separated.
  public var path: String
  /// SHA-256 of the original file (its object must be part of the same commit or stored already).
  public var objectHash: String
  /// The class label, if any.
  public var label: String?

  /// Describes a sample.
  public init(path: String, objectHash: String, label: String?) {
    self.path = path
    self.objectHash = objectHash
    self.label = label
  }
}

/// Everything one `dataset add` commits in a single transaction.
public struct NewVersion: Sendable {
  /// The dataset to add to (created if it does not exist).
  public var datasetName: String
  /// The user's message for the version.
  public var message: String?
  /// SHA-256 over the samples' (path, object, label) list.
  public var contentDigest: String
  /// Objects the samples refer to; already-known objects are left as they are.
  public var objects: [StoredObject]
  /// The version's samples in order; their index becomes their position.
  public var samples: [NewSample]

  /// Describes a version to commit.
  public init(
    datasetName: String, message: String?, contentDigest: String, objects: [StoredObject],
    samples: [NewSample]
  ) {
    self.datasetName = datasetName
    self.message = message
    self.contentDigest = contentDigest
    self.objects = objects
    self.samples = samples
  }
}

/// What committing a version did.
public enum VersionCommit: Sendable, Equatable {
  /// A new version was created.
  case created(DatasetVersion)
  /// The content equals the latest version's, which is returned; nothing was written.
  case unchanged(DatasetVersion)
}

/// How a dataset version is named on the command line: `NAME`, `NAME@vN` or `NAME@TAG`.
public enum VersionSelector: Sendable, Equatable {
  /// The newest version.
  case latest
  /// Version N (1-based).
  case number(Int)
  /// The version a tag points at.
  case tag(String)
}

extension Catalog {
  /// Commits a new version of a dataset unless its content equals the latest version's.
  ///
  /// The dataset row, new objects, version and samples are written in one transaction: either
  /// all of them are visible afterwards or none.
  public func commitVersion(_ new: NewVersion) throws -> VersionCommit {
    let now = Self.timestamp()
    return try write { db in
      var dataset = try Dataset.filter(Column("name") == new.datasetName).fetchOne(db)
      if dataset == nil {
        var created = Dataset(name: new.datasetName, createdAt: now)
        try created.insert(db)
        dataset = created
      }
      guard let dataset, let datasetId = dataset.id else {
        throw CatalogError.datasetNotFound(name: new.datasetName)
      }
      let latest = try DatasetVersion.filter(Column("dataset_id") == datasetId)
        .order(Column("number").desc).fetchOne(db)
      if let latest, latest.contentDigest == new.contentDigest {
        return .unchanged(latest)
      }
      for object in new.objects {
        try object.insert(db, onConflict: .ignore)
      }
      let sizes = Dictionary(new.objects.map { ($0.hash, $0.size) }, uniquingKeysWith: { a, _ in a })
      var totalBytes = 0
      for sample in new.samples {
        if let size = sizes[sample.objectHash] {
          totalBytes += size
        } else if let size = try Int.fetchOne(
          db, sql: "SELECT size FROM objects WHERE hash = ?", arguments: [sample.objectHash])
        {
          totalBytes += size
        }
      }
      var version = DatasetVersion(
        datasetId: datasetId, number: (latest?.number ?? 0) + 1, message: new.message,
        sampleCount: new.samples.count, totalBytes: totalBytes, contentDigest: new.contentDigest,
        createdAt: now)
      try version.insert(db)
      let insert = try db.makeStatement(
        sql: "INSERT INTO samples (version_id, position, path, object_hash, label) VALUES (?, ?, ?, ?, ?)")
      for (position, sample) in new.samples.enumerated() {
        try insert.execute(arguments: [version.id, position, sample.path, sample.objectHash, sample.label])
      }
      return .created(version)
    }
  }

  /// All datasets, by name.
  public func datasets() throws -> [Dataset] {
    try read { db in try Dataset.order(Column("name")).fetchAll(db) }
  }

  /// The dataset with this name.
  ///
  /// - Throws: `CatalogError.datasetNotFound`.
  public func dataset(named name: String) throws -> Dataset {
    guard let dataset = try read({ db in try Dataset.filter(Column("name") == name).fetchOne(db) }) else {
      throw CatalogError.datasetNotFound(name: name)
    }
    return dataset
  }

  /// The dataset's versions, oldest first.
  public func versions(of dataset: Dataset) throws -> [DatasetVersion] {
    try read { db in
      try DatasetVersion.filter(Column("dataset_id") == dataset.id).order(Column("number")).fetchAll(db)
    }
  }

  /// The version `selector` names.
  ///
  /// - Throws: `CatalogError.versionNotFound` or `.tagNotFound`.
  public func version(of dataset: Dataset, _ selector: VersionSelector) throws -> DatasetVersion {
    try read { db in
      let versions = DatasetVersion.filter(Column("dataset_id") == dataset.id)
      switch selector {
      case .latest:
        guard let version = try versions.order(Column("number").desc).fetchOne(db) else {
          throw CatalogError.versionNotFound(dataset: dataset.name, version: 1)
        }
        return version
      case .number(let number):
        guard let version = try versions.filter(Column("number") == number).fetchOne(db) else {
          throw CatalogError.versionNotFound(dataset: dataset.name, version: number)
        }
        return version
      case .tag(let name):
        guard
          let version = try DatasetVersion.fetchOne(
            db,
            sql: """
              SELECT v.* FROM dataset_versions v JOIN tags t ON t.version_id = v.id
              WHERE t.dataset_id = ? AND t.name = ?
              """, arguments: [dataset.id, name])
        else {
          throw CatalogError.tagNotFound(dataset: dataset.name, tag: name)
        }
        return version
      }
    }
  }

  /// The dataset's tags, by name.
  public func tags(of dataset: Dataset) throws -> [Tag] {
    try read { db in try Tag.filter(Column("dataset_id") == dataset.id).order(Column("name")).fetchAll(db) }
  }

  /// Points `name` at `version`. Tagging the same version again changes nothing.
  ///
  /// - Throws: `CatalogError.tagExists` if the tag points at another version.
  public func setTag(_ name: String, of dataset: Dataset, to version: DatasetVersion) throws {
    let now = Self.timestamp()
    try write { db in
      guard let datasetId = dataset.id, let versionId = version.id else { return }
      if let existing = try Tag.filter(Column("dataset_id") == datasetId && Column("name") == name)
        .fetchOne(db)
      {
        guard existing.versionId == versionId else {
          let number =
            try Int.fetchOne(
              db, sql: "SELECT number FROM dataset_versions WHERE id = ?", arguments: [existing.versionId])
            ?? 0
          throw CatalogError.tagExists(dataset: dataset.name, tag: name, version: number)
        }
        return
      }
      try Tag(datasetId: datasetId, name: name, versionId: versionId, createdAt: now).insert(db)
    }
  }

  /// The version's samples in order.
  public func samples(in version: DatasetVersion) throws -> [Sample] {
    try read { db in
      try Sample.fetchAll(
        db,
        sql: "SELECT position, path, object_hash, label FROM samples WHERE version_id = ? ORDER BY position",
        arguments: [version.id])
    }
  }

  /// Calls `body` with every sample of `version` in order, inside one read transaction, without
  /// holding them all: for passes over versions of millions of samples.
  ///
  /// - Parameter withSizes: whether to look up each sample's image size (width, height) as well;
  ///   otherwise `body` gets `nil` for it.
  public func forEachSample(
    in version: DatasetVersion, withSizes: Bool = false,
    _ body: (Sample, _ size: (width: Int, height: Int)?) throws -> Void
  ) throws {
    try read { db in
      let rows = try Row.fetchCursor(
        db,
        sql: withSizes
          ? """
          SELECT s.position, s.path, s.object_hash, s.label, o.width, o.height FROM samples s
          JOIN objects o ON o.hash = s.object_hash WHERE s.version_id = ? ORDER BY s.position
          """
          : "SELECT position, path, object_hash, label FROM samples WHERE version_id = ? ORDER BY position",
        arguments: [version.id])
      while let row = try rows.next() {
        let sample = Sample(position: row[0], path: row[1], objectHash: row[2], label: row[3])
        try body(sample, withSizes ? (width: row[4], height: row[5]) : nil)
      }
    }
  }

  /// How many samples of the version carry each label (`nil` for unlabelled samples).
  public func labelCounts(in version: DatasetVersion) throws -> [(label: String?, count: Int)] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT label, count(*) AS n FROM samples WHERE version_id = ? GROUP BY label ORDER BY label",
        arguments: [version.id]
      ).map { row in (label: row["label"], count: row["n"]) }
    }
  }

  /// How many samples of the version are of each file format (`png`, `jpeg`), and how many carry
  /// each EXIF orientation tag (1 to 8; samples without one are not counted).
  public func imageKinds(
    in version: DatasetVersion
  ) throws -> (formats: [String: Int], orientations: [Int: Int]) {
    try read { db in
      var formats: [String: Int] = [:]
      var orientations: [Int: Int] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT o.format, o.orientation, count(*) AS n FROM samples s JOIN objects o ON o.hash = s.object_hash
          WHERE s.version_id = ? GROUP BY o.format, o.orientation
          """, arguments: [version.id])
      {
        let count: Int = row["n"]
        formats[row["format"], default: 0] += count
        if let orientation: Int = row["orientation"] { orientations[orientation, default: 0] += count }
      }
      return (formats, orientations)
    }
  }

  /// The stored objects with these hashes (unknown hashes are left out).
  public func objects(hashes: [String]) throws -> [String: StoredObject] {
    try read { db in
      var found: [String: StoredObject] = [:]
      for chunk in stride(from: 0, to: hashes.count, by: 500) {
        let slice = Array(hashes[chunk..<min(chunk + 500, hashes.count)])
        for object in try StoredObject.filter(keys: slice).fetchAll(db) {
          found[object.hash] = object
        }
      }
      return found
    }
  }

  /// The current time as an ISO 8601 string in UTC.
  package static func timestamp() -> String {
    Date.now.formatted(.iso8601)
  }
}

extension Catalog {
  /// The distinct image sizes among a version's samples, each with one sample path that has it.
  public func imageSizes(in version: DatasetVersion) throws -> [(width: Int, height: Int, path: String)] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT o.width, o.height, min(s.path) AS path FROM samples s JOIN objects o ON o.hash = s.object_hash
          WHERE s.version_id = ? GROUP BY o.width, o.height ORDER BY o.width, o.height
          """, arguments: [version.id]
      ).map { row in (width: row["width"], height: row["height"], path: row["path"]) }
    }
  }
}

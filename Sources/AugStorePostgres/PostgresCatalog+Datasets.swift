import AugStoreCatalog
import Foundation
import PostgresNIO

// Datasets, versions, samples, objects and tags: the SQLite catalog's results in the same orders.
// Text is ordered by `COLLATE "C"` (bytewise, as SQLite orders), and NULL labels first, as SQLite
// sorts them.
extension PostgresCatalog {
  /// Commits a new version of a dataset unless its content equals the latest version's.
  ///
  /// The dataset row, new objects, version and samples are written in one transaction under the
  /// write lock: either all of them are visible afterwards or none. Objects and samples go in
  /// through `COPY` (objects through a temporary table, so that ones already stored are left as
  /// they are).
  public func commitVersion(_ new: NewVersion) throws -> VersionCommit {
    let commit = try writeVersion(new)
    if case .created = commit { try refreshStatistics(of: ["samples", "objects"]) }
    return commit
  }

  /// Refreshes the planner's statistics of `tables` after a bulk load (`ANALYZE`).
  ///
  /// Until autovacuum gets to a table that just gained a million rows, the planner plans for the table
  /// it last saw: reading a new version's samples in position order then sorts and hash-joins the
  /// whole table for every page, instead of walking the primary key (seconds instead of one pass).
  func refreshStatistics(of tables: [String]) throws {
    _ = try withSession { session in
      try session.query(PostgresQuery(unsafeSQL: "ANALYZE " + tables.joined(separator: ", ")))
    }
  }

  /// Vacuums and analyzes `tables` now (`VACUUM (ANALYZE)`), then writes the server's dirty buffers
  /// out (`CHECKPOINT`, where the role may), the work autovacuum and the checkpointer do over the
  /// minutes after a bulk load: for tools that time reads in a steady state rather than beside it.
  package func settleAfterBulkLoad(_ tables: [String]) throws {
    try withSession { session in
      try session.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) " + tables.joined(separator: ", ")))
      _ = try? session.query("CHECKPOINT")
    }
  }

  private func writeVersion(_ new: NewVersion) throws -> VersionCommit {
    let now = Catalog.timestamp()
    return try write { session in
      let datasetId: Int64
      if let row = try session.query("SELECT id FROM datasets WHERE name = \(new.datasetName)").first {
        datasetId = try row.decode(Int64.self)
      } else {
        guard
          let row = try session.query(
            "INSERT INTO datasets (name, created_at) VALUES (\(new.datasetName), \(now)) RETURNING id"
          ).first
        else { throw CatalogError.datasetNotFound(name: new.datasetName) }
        datasetId = try row.decode(Int64.self)
      }
      let latest = try session.query(
        """
        SELECT \(unescaped: PostgresRows.versionColumns) FROM dataset_versions WHERE dataset_id = \(datasetId)
        ORDER BY number DESC LIMIT 1
        """
      ).first.map(PostgresRows.version)
      if let latest, latest.contentDigest == new.contentDigest {
        return .unchanged(latest)
      }
      try Self.insertObjects(new.objects, session)
      var sizes: [String: Int] = [:]
      for object in new.objects where sizes[object.hash] == nil { sizes[object.hash] = object.size }
      let unknown = Array(Set(new.samples.map(\.objectHash)).filter { sizes[$0] == nil })
      var stored: [String: Int] = [:]
      if !unknown.isEmpty {
        for row in try session.query("SELECT hash, size FROM objects WHERE hash = ANY(\(unknown))") {
          let (hash, size) = try row.decode((String, Int).self)
          stored[hash] = size
        }
      }
      var totalBytes = 0
      for sample in new.samples {
        totalBytes += sizes[sample.objectHash] ?? stored[sample.objectHash] ?? 0
      }
      let number = (latest?.number ?? 0) + 1
      guard
        let row = try session.query(
          """
          INSERT INTO dataset_versions
            (dataset_id, number, message, sample_count, total_bytes, content_digest, created_at)
          VALUES (\(datasetId), \(number), \(new.message), \(new.samples.count), \(totalBytes),
            \(new.contentDigest), \(now))
          RETURNING id
          """
        ).first
      else { throw CatalogError.versionNotFound(dataset: new.datasetName, version: number) }
      let versionId = try row.decode(Int64.self)
      if !new.samples.isEmpty {
        var text = PostgresCopyText()
        for (position, sample) in new.samples.enumerated() {
          text.row([
            .integer(versionId), .integer(Int64(position)), .text(sample.path), .text(sample.objectHash),
            .optional(sample.label),
          ])
        }
        try session.copy(
          into: "samples", columns: ["version_id", "position", "path", "object_hash", "label"],
          data: text.buffer)
      }
      return .created(
        DatasetVersion(
          id: versionId, datasetId: datasetId, number: number, message: new.message,
          sampleCount: new.samples.count, totalBytes: totalBytes, contentDigest: new.contentDigest,
          createdAt: now))
    }
  }

  /// Stores the objects not stored yet (the first of equal hashes), inside the caller's write
  /// transaction: copied into a temporary table, then inserted where no object has their hash.
  private static func insertObjects(_ objects: [StoredObject], _ session: PostgresSession) throws {
    guard !objects.isEmpty else { return }
    try session.query(
      """
      CREATE TEMPORARY TABLE new_objects (
        ordinal BIGINT, hash TEXT, size BIGINT, width INTEGER, height INTEGER, channels INTEGER,
        created_at TEXT, format TEXT, orientation INTEGER
      ) ON COMMIT DROP
      """)
    var text = PostgresCopyText()
    for (ordinal, object) in objects.enumerated() {
      text.row([
        .integer(Int64(ordinal)), .text(object.hash), .integer(Int64(object.size)),
        .integer(Int64(object.width)), .integer(Int64(object.height)), .integer(Int64(object.channels)),
        .text(object.createdAt), .text(object.format), .optional(object.orientation),
      ])
    }
    try session.copy(
      into: "new_objects",
      columns: [
        "ordinal", "hash", "size", "width", "height", "channels", "created_at", "format", "orientation",
      ],
      data: text.buffer)
    try session.query(
      """
      INSERT INTO objects (\(unescaped: PostgresRows.objectColumns))
      SELECT DISTINCT ON (hash) \(unescaped: PostgresRows.objectColumns) FROM new_objects
      ORDER BY hash, ordinal
      ON CONFLICT (hash) DO NOTHING
      """)
    try session.query("DROP TABLE new_objects")
  }

  /// Every dataset, by name (bytewise, as on SQLite).
  public func datasets() throws -> [Dataset] {
    try read { session in
      try session.query(
        "SELECT \(unescaped: PostgresRows.datasetColumns) FROM datasets ORDER BY name COLLATE \"C\""
      ).map(PostgresRows.dataset)
    }
  }

  /// The dataset with this name.
  ///
  /// - Throws: `CatalogError.datasetNotFound`.
  public func dataset(named name: String) throws -> Dataset {
    let found = try read { session in
      try session.query(
        "SELECT \(unescaped: PostgresRows.datasetColumns) FROM datasets WHERE name = \(name)"
      ).first.map(PostgresRows.dataset)
    }
    guard let found else { throw CatalogError.datasetNotFound(name: name) }
    return found
  }

  /// The dataset's versions, oldest first.
  public func versions(of dataset: Dataset) throws -> [DatasetVersion] {
    try read { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.versionColumns) FROM dataset_versions
        WHERE dataset_id = \(dataset.id) ORDER BY number
        """
      ).map(PostgresRows.version)
    }
  }

  /// The version `selector` names.
  ///
  /// - Throws: `CatalogError.versionNotFound` or `.tagNotFound`.
  public func version(of dataset: Dataset, _ selector: VersionSelector) throws -> DatasetVersion {
    try read { session in
      let columns = PostgresRows.versionColumns
      switch selector {
      case .latest:
        guard
          let row = try session.query(
            """
            SELECT \(unescaped: columns) FROM dataset_versions WHERE dataset_id = \(dataset.id)
            ORDER BY number DESC LIMIT 1
            """
          ).first
        else { throw CatalogError.versionNotFound(dataset: dataset.name, version: 1) }
        return try PostgresRows.version(row)
      case .number(let number):
        guard
          let row = try session.query(
            """
            SELECT \(unescaped: columns) FROM dataset_versions
            WHERE dataset_id = \(dataset.id) AND number = \(number)
            """
          ).first
        else { throw CatalogError.versionNotFound(dataset: dataset.name, version: number) }
        return try PostgresRows.version(row)
      case .tag(let name):
        let prefixed = columns.split(separator: ", ").map { "v.\($0)" }.joined(separator: ", ")
        guard
          let row = try session.query(
            """
            SELECT \(unescaped: prefixed) FROM dataset_versions v JOIN tags t ON t.version_id = v.id
            WHERE t.dataset_id = \(dataset.id) AND t.name = \(name)
            """
          ).first
        else { throw CatalogError.tagNotFound(dataset: dataset.name, tag: name) }
        return try PostgresRows.version(row)
      }
    }
  }

  /// The dataset's tags, by name (bytewise).
  public func tags(of dataset: Dataset) throws -> [Tag] {
    try read { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.tagColumns) FROM tags WHERE dataset_id = \(dataset.id)
        ORDER BY name COLLATE "C"
        """
      ).map(PostgresRows.tag)
    }
  }

  /// Points `name` at `version`. Tagging the same version again changes nothing.
  ///
  /// - Throws: `CatalogError.tagExists` if the tag points at another version.
  public func setTag(_ name: String, of dataset: Dataset, to version: DatasetVersion) throws {
    let now = Catalog.timestamp()
    try write { session in
      guard let datasetId = dataset.id, let versionId = version.id else { return }
      if let row = try session.query(
        "SELECT version_id FROM tags WHERE dataset_id = \(datasetId) AND name = \(name)"
      ).first {
        let existing = try row.decode(Int64.self)
        guard existing == versionId else {
          let number =
            try session.query("SELECT number FROM dataset_versions WHERE id = \(existing)").first?
            .decode(Int.self) ?? 0
          throw CatalogError.tagExists(dataset: dataset.name, tag: name, version: number)
        }
        return
      }
      try session.query(
        """
        INSERT INTO tags (dataset_id, name, version_id, created_at)
        VALUES (\(datasetId), \(name), \(versionId), \(now))
        """)
    }
  }

  /// The version's samples in order.
  public func samples(in version: DatasetVersion) throws -> [Sample] {
    try read { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.sampleColumns) FROM samples WHERE version_id = \(version.id)
        ORDER BY position
        """
      ).map(PostgresRows.sample)
    }
  }

  /// Calls `body` with every sample of `version` in order, inside one read transaction, without
  /// holding them all: samples are fetched in pages of ``samplePage`` by position.
  ///
  /// - Parameter withSizes: whether to look up each sample's image size (width, height) as well;
  ///   otherwise `body` gets `nil` for it.
  public func forEachSample(
    in version: DatasetVersion, withSizes: Bool,
    _ body: (Sample, _ size: (width: Int, height: Int)?) throws -> Void
  ) throws {
    try read { session in
      var after = -1
      while true {
        let rows = try session.query(
          """
          SELECT s.position, s.path, s.object_hash, s.label, o.width, o.height FROM samples s
          JOIN objects o ON o.hash = s.object_hash
          WHERE s.version_id = \(version.id) AND s.position > \(after)
          ORDER BY s.position LIMIT \(Self.samplePage)
          """)
        for row in rows {
          let (position, path, hash, label, width, height) = try row.decode(
            (Int, String, String, String?, Int, Int).self)
          after = position
          try body(
            Sample(position: position, path: path, objectHash: hash, label: label),
            withSizes ? (width: width, height: height) : nil)
        }
        if rows.count < Self.samplePage { return }
      }
    }
  }

  /// How many samples ``forEachSample(in:withSizes:_:)`` fetches at a time.
  static let samplePage = 50_000

  /// How many samples of the version carry each label (`nil` for unlabelled samples, first), by
  /// label (bytewise).
  public func labelCounts(in version: DatasetVersion) throws -> [(label: String?, count: Int)] {
    try read { session in
      try session.query(
        """
        SELECT label, count(*) FROM samples WHERE version_id = \(version.id)
        GROUP BY label ORDER BY label COLLATE "C" NULLS FIRST
        """
      ).map { row in
        let (label, count) = try row.decode((String?, Int).self)
        return (label: label, count: count)
      }
    }
  }

  /// How many samples of the version are of each file format (`png`, `jpeg`), and how many carry
  /// each EXIF orientation tag (1 to 8; samples without one are not counted).
  public func imageKinds(
    in version: DatasetVersion
  ) throws -> (formats: [String: Int], orientations: [Int: Int]) {
    try read { session in
      var formats: [String: Int] = [:]
      var orientations: [Int: Int] = [:]
      for row in try session.query(
        """
        SELECT o.format, o.orientation, count(*) FROM samples s JOIN objects o ON o.hash = s.object_hash
        WHERE s.version_id = \(version.id) GROUP BY o.format, o.orientation
        """)
      {
        let (format, orientation, count) = try row.decode((String, Int?, Int).self)
        formats[format, default: 0] += count
        if let orientation { orientations[orientation, default: 0] += count }
      }
      return (formats, orientations)
    }
  }

  /// The stored objects with these hashes (unknown hashes are left out).
  public func objects(hashes: [String]) throws -> [String: StoredObject] {
    guard !hashes.isEmpty else { return [:] }
    return try read { session in
      var found: [String: StoredObject] = [:]
      for row in try session.query(
        "SELECT \(unescaped: PostgresRows.objectColumns) FROM objects WHERE hash = ANY(\(hashes))")
      {
        let object = try PostgresRows.object(row)
        found[object.hash] = object
      }
      return found
    }
  }

  /// Every stored object, by hash.
  public func allObjects() throws -> [StoredObject] {
    try read { session in
      try session.query(
        "SELECT \(unescaped: PostgresRows.objectColumns) FROM objects ORDER BY hash COLLATE \"C\""
      ).map(PostgresRows.object)
    }
  }

  /// The distinct image sizes among a version's samples, each with the bytewise-first sample path
  /// that has it, by width then height.
  public func imageSizes(in version: DatasetVersion) throws -> [(width: Int, height: Int, path: String)] {
    try read { session in
      try session.query(
        """
        SELECT o.width, o.height, min(s.path COLLATE "C") FROM samples s
        JOIN objects o ON o.hash = s.object_hash
        WHERE s.version_id = \(version.id) GROUP BY o.width, o.height ORDER BY o.width, o.height
        """
      ).map { row in
        let (width, height, path) = try row.decode((Int, Int, String).self)
        return (width: width, height: height, path: path)
      }
    }
  }

  /// Each sample's path and image size, in position order.
  public func sampleImages(in version: DatasetVersion) throws -> [(path: String, width: Int, height: Int)] {
    try read { session in
      try session.query(
        """
        SELECT s.path, o.width, o.height FROM samples s JOIN objects o ON o.hash = s.object_hash
        WHERE s.version_id = \(version.id) ORDER BY s.position
        """
      ).map { row in
        let (path, width, height) = try row.decode((String, Int, Int).self)
        return (path: path, width: width, height: height)
      }
    }
  }

  /// The sample at `position`, if any.
  public func sample(in version: DatasetVersion, position: Int) throws -> Sample? {
    try readStatement { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.sampleColumns) FROM samples
        WHERE version_id = \(version.id) AND position = \(position)
        """
      ).first.map(PostgresRows.sample)
    }
  }

  /// The sample with this path, if any.
  public func sample(in version: DatasetVersion, path: String) throws -> Sample? {
    try readStatement { session in
      try session.query(
        """
        SELECT \(unescaped: PostgresRows.sampleColumns) FROM samples
        WHERE version_id = \(version.id) AND path = \(path)
        """
      ).first.map(PostgresRows.sample)
    }
  }

  /// The dataset version with this row id, with its dataset.
  ///
  /// - Throws: `CatalogError.datasetNotFound` naming `#id`.
  public func datasetVersion(id: Int64) throws -> (Dataset, DatasetVersion) {
    let found = try read { session -> (Dataset, DatasetVersion)? in
      guard
        let version = try session.query(
          "SELECT \(unescaped: PostgresRows.versionColumns) FROM dataset_versions WHERE id = \(id)"
        ).first.map(PostgresRows.version),
        let dataset = try session.query(
          "SELECT \(unescaped: PostgresRows.datasetColumns) FROM datasets WHERE id = \(version.datasetId)"
        ).first.map(PostgresRows.dataset)
      else { return nil }
      return (dataset, version)
    }
    guard let found else { throw CatalogError.datasetNotFound(name: "#\(id)") }
    return found
  }
}

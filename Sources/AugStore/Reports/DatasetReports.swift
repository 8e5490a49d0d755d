import AugStoreCatalog

/// `dataset list --json`: every dataset with its versions and tags.
package struct DatasetListReport: Encodable, Sendable {
  package var datasets: [ListedDataset]

  package init(_ listings: [DatasetListing]) {
    datasets = listings.map { listing in
      ListedDataset(
        name: listing.dataset.name, createdAt: listing.dataset.createdAt,
        versions: listing.versions.map { version in
          ListedVersion(
            version: version.number, samples: version.sampleCount, bytes: version.totalBytes,
            message: version.message, createdAt: version.createdAt,
            tags: listing.tags.filter { $0.value == version.number }.keys.sorted())
        },
        tags: listing.tags)
    }
  }

  package struct ListedDataset: Encodable, Sendable {
    package var name: String
    package var createdAt: String
    package var versions: [ListedVersion]
    package var tags: [String: Int]
    enum CodingKeys: String, CodingKey {
      case name, versions, tags
      case createdAt = "created_at"
    }
  }

  package struct ListedVersion: Encodable, Sendable {
    package var version: Int
    package var samples: Int
    package var bytes: Int
    package var message: String?
    package var createdAt: String
    package var tags: [String]
    enum CodingKeys: String, CodingKey {
      case version, samples, bytes, message, tags
      case createdAt = "created_at"
    }
  }
}

/// `dataset show NAME@vN --json`: one version's counts, labels and (optionally) samples.
package struct DatasetVersionReport: Encodable, Sendable {
  package var dataset: String
  package var version: Int
  package var tags: [String]
  package var samples: Int
  package var labels: [String: Int]
  package var unlabelled: Int
  package var bytes: Int
  package var formats: [String: Int]
  package var orientations: [String: Int]
  package var message: String?
  package var createdAt: String
  package var contentDigest: String
  package var sampleList: [ShownSample]?

  package init(_ summary: DatasetSummary, samples sampleList: [Sample]?) {
    var labels: [String: Int] = [:]
    var unlabelled = 0
    for entry in summary.labels {
      if let label = entry.label { labels[label] = entry.count } else { unlabelled += entry.count }
    }
    let version = summary.version
    dataset = summary.dataset.name
    self.version = version.number
    tags = summary.tags
    samples = version.sampleCount
    self.labels = labels
    self.unlabelled = unlabelled
    bytes = version.totalBytes
    formats = summary.formats
    orientations = Dictionary(uniqueKeysWithValues: summary.orientations.map { ("\($0.key)", $0.value) })
    message = version.message
    createdAt = version.createdAt
    contentDigest = version.contentDigest
    self.sampleList = sampleList?.map {
      ShownSample(index: $0.position, path: $0.path, label: $0.label, object: $0.objectHash)
    }
  }

  enum CodingKeys: String, CodingKey {
    case dataset, version, tags, samples, labels, unlabelled, bytes, formats, orientations, message
    case createdAt = "created_at"
    case contentDigest = "content_digest"
    case sampleList = "sample_list"
  }

  package struct ShownSample: Encodable, Sendable {
    package var index: Int
    package var path: String
    package var label: String?
    package var object: String
  }
}

/// `dataset diff A B --json`: the paths added, removed and changed between two versions.
package struct DatasetDiffReport: Encodable, Sendable {
  package var from: String
  package var to: String
  package var added: [String]
  package var removed: [String]
  package var changed: [String]

  package init(from: DatasetReference, to: DatasetReference, diff: DatasetDiff) {
    self.from = from.description
    self.to = to.description
    added = diff.added
    removed = diff.removed
    changed = diff.changed
  }
}

import AugStoreCatalog
import AugStoreTransforms

/// The samples of a dataset version, held compactly for the passes that visit all of them
/// (recording, materializing, the loader): paths and object hashes in ``StringTable``s, labels as
/// indexes into the sorted distinct labels, and optionally each image's size.
///
/// A version of 1,281,167 samples takes about 120 MB here instead of about 350 MB as `[Sample]`.
package struct SampleTable: Sendable {
  /// Relative paths, by sample index.
  package let paths: StringTable
  /// Object hashes, by sample index.
  package let objects: StringTable
  /// The distinct labels, sorted; a class index is a position in this list.
  package let labels: [String]
  /// Each sample's class index, -1 for unlabelled samples.
  private let classes: [Int32]
  /// Each sample's image size, when the table was read with sizes.
  package let sizes: [ImageSize]

  /// Reads the samples of `version`, and their image sizes when `withSizes`.
  package init(catalog: any CatalogBackend, version: DatasetVersion, withSizes: Bool = false) throws {
    var paths = StringTable()
    var objects = StringTable()
    var sizes: [ImageSize] = []
    var classes: [Int32] = []
    // Labels get provisional indexes in order of appearance, renumbered in sorted order below.
    var seen: [String: Int32] = [:]
    var names: [String] = []
    if withSizes { sizes.reserveCapacity(version.sampleCount) }
    classes.reserveCapacity(version.sampleCount)
    try catalog.forEachSample(in: version, withSizes: withSizes) { sample, size in
      paths.append(sample.path)
      objects.append(sample.objectHash)
      if let size { sizes.append(ImageSize(height: size.height, width: size.width)) }
      guard let label = sample.label else {
        classes.append(-1)
        return
      }
      if let index = seen[label] {
        classes.append(index)
      } else {
        seen[label] = Int32(names.count)
        classes.append(Int32(names.count))
        names.append(label)
      }
    }
    let sorted = names.sorted()
    var renumbered = [Int32](repeating: -1, count: names.count)
    for (index, name) in sorted.enumerated() {
      if let provisional = seen[name] { renumbered[Int(provisional)] = Int32(index) }
    }
    self.paths = paths
    self.objects = objects
    self.sizes = sizes
    self.classes = classes.map { $0 < 0 ? -1 : renumbered[Int($0)] }
    labels = sorted
  }

  /// The number of samples.
  package var count: Int { paths.count }

  /// The class index of sample `index` in ``labels``, -1 for an unlabelled sample.
  package func classIndex(_ index: Int) -> Int64 { Int64(classes[index]) }
}

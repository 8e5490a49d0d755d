import AugStoreCatalog
import Crypto
import Foundation

/// Options of `dataset add`.
public struct DatasetAddOptions: Sendable {
  /// How to label samples; `nil` infers `.folders` when the source has sub-folders, or `.file`
  /// when ``labelsFile`` is set.
  public var labels: LabelMode?
  /// A CSV file with `path` and `label` columns (see ``labels``, which must then be `nil` or
  /// `.file`): every image needs exactly one row and every row must name an image. With
  /// ``skipInvalid``, images without a row are skipped and listed; rows naming no image, paths
  /// listed twice and empty labels are errors either way.
  public var labelsFile: String?
  /// Register the valid images and list the invalid ones instead of registering nothing.
  public var skipInvalid: Bool
  /// A message stored with the new version.
  public var message: String?
  /// Images with more pixels than this are refused before they are decoded.
  public var pixelBudget: Int
  /// Threads that read, hash and decode; `nil` uses every core.
  public var jobs: Int?

  /// Options with augstore's defaults.
  public init(
    labels: LabelMode? = nil, labelsFile: String? = nil, skipInvalid: Bool = false, message: String? = nil,
    pixelBudget: Int = Store.defaultPixelBudget, jobs: Int? = nil
  ) {
    self.labels = labels
    self.labelsFile = labelsFile
    self.skipInvalid = skipInvalid
    self.message = message
    self.pixelBudget = pixelBudget
    self.jobs = jobs
  }
}

/// What `dataset add` did.
public struct DatasetAddResult: Sendable, Equatable {
  /// The dataset's name.
  public var dataset: String
  /// The new version, or the latest one if the content was unchanged.
  public var version: DatasetVersion
  /// Whether a new version was created.
  public var created: Bool
  /// The label mode used.
  public var labels: LabelMode
  /// Objects that were not in the store before.
  public var newObjects: Int
  /// Invalid images, and images without a row in the labels file, passed over (only with
  /// `skipInvalid`), by path.
  public var skipped: [InvalidFile]
  /// Regular files without a `.png`, `.jpg` or `.jpeg` extension that were passed over.
  public var ignoredFiles: Int
}

extension Store {
  /// Registers the `.png`, `.jpg` and `.jpeg` files under `folder` as a new version of dataset
  /// `name`.
  ///
  /// With a labels file, it is read and matched to the folder's images before any image is read:
  /// if it does not match, nothing is registered and `StoreError.labelsMismatch` lists every
  /// problem (`StoreError.invalidLabelsFile` when it cannot be parsed at all).
  /// Every file is read, hashed and fully decoded first. With any invalid image and without
  /// `skipInvalid`, nothing is registered and `StoreError.invalidImages` lists every bad file.
  /// Otherwise new originals are written under `tmp/`, flushed, renamed into `objects/`, and the
  /// version is committed in one catalog transaction. A folder whose content equals the latest
  /// version's creates no version.
  public func addDataset(
    named name: String, from folder: String, options: DatasetAddOptions = DatasetAddOptions(),
    progress: ProgressHandler? = nil
  ) throws -> DatasetAddResult {
    try Names.checkDataset(name)
    let labelMode = try Self.labelMode(options, folder: folder)
    let (found, ignored) = try SourceFolder.scan(folder)
    guard !found.isEmpty else { throw StoreError.noImages(path: folder) }

    // Labels from a file are matched before any image is read: a mismatch costs no decoding.
    var files = found
    var fileLabels: [String: String] = [:]
    var unlisted: [InvalidFile] = []
    if let labelsFile = options.labelsFile {
      let match = try LabelsFile.match(
        LabelsFile.read(labelsFile), images: found.map(\.relativePath), allowUnlisted: options.skipInvalid,
        path: labelsFile)
      fileLabels = match.labels
      if !match.unlisted.isEmpty {
        let name = (labelsFile as NSString).lastPathComponent
        unlisted = match.unlisted.map { InvalidFile(path: $0, reason: "no row in \(name)") }
        files = found.filter { fileLabels[$0.relativePath] != nil }
      }
    }

    let staging = try makeStagingFolder()
    defer { FileIO.remove(staging) }
    let scanned = scan(files, staging: staging, options: options, progress: progress)

    // A write that failed is the store's problem, not the image's: never "invalid", never skipped.
    for case .failure(let rejection) in scanned {
      if let failure = rejection.storeFailure { throw failure }
    }
    var accepted: [(file: SourceFile, scan: ScannedImage)] = []
    var invalid: [InvalidFile] = []
    for (file, outcome) in zip(files, scanned) {
      switch outcome {
      case .success(let image): accepted.append((file, image))
      case .failure(let rejection):
        invalid.append(InvalidFile(path: file.relativePath, reason: rejection.reason))
      }
    }
    if !unlisted.isEmpty {
      invalid = (invalid + unlisted).sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
    if !invalid.isEmpty && !options.skipInvalid {
      throw StoreError.invalidImages(folder: folder, files: invalid)
    }
    guard !accepted.isEmpty else { throw StoreError.invalidImages(folder: folder, files: invalid) }

    // Flush the staged originals (many at once: the disk batches concurrent flushes), then
    // rename them into place. Only flushed files ever get a final name.
    var staged: [(temporary: String, hash: String)] = []
    var seen = Set<String>()
    for (_, image) in accepted {
      if let temporary = image.stagedPath, seen.insert(image.hash).inserted {
        staged.append((temporary, image.hash))
      }
    }
    let failures = ResultSlots<StoreError>(count: staged.count)
    let toSync = staged
    Parallel.forEach(count: toSync.count, threads: 32) { index in
      do throws(StoreError) {
        try FileIO.sync(toSync[index].temporary)
      } catch {
        failures[index] = error
      }
      progress?(ProgressUpdate(phase: "storing", completed: index + 1, total: toSync.count))
    }
    if let failure = failures.values.lazy.compactMap({ $0 }).first { throw failure }
    try objects.install(staged)

    let now = Date.now.formatted(.iso8601)
    var objectsByHash: [String: StoredObject] = [:]
    var samples: [NewSample] = []
    samples.reserveCapacity(accepted.count)
    for (file, image) in accepted {
      objectsByHash[image.hash] = StoredObject(
        hash: image.hash, size: image.size, width: image.shape.width, height: image.shape.height,
        channels: image.shape.channels, createdAt: now, format: image.shape.format.rawValue,
        orientation: image.shape.orientation)
      let label =
        labelMode == .file
        ? fileLabels[file.relativePath] : SourceFolder.label(of: file.relativePath, mode: labelMode)
      samples.append(NewSample(path: file.relativePath, objectHash: image.hash, label: label))
    }
    let commit = try catalog.commitVersion(
      NewVersion(
        datasetName: name, message: options.message, contentDigest: Self.contentDigest(samples),
        objects: objectsByHash.values.sorted { $0.hash < $1.hash }, samples: samples))
    let (version, created): (DatasetVersion, Bool) =
      switch commit {
      case .created(let version): (version, true)
      case .unchanged(let version): (version, false)
      }
    return DatasetAddResult(
      dataset: name, version: version, created: created, labels: labelMode, newObjects: staged.count,
      skipped: invalid, ignoredFiles: ignored)
  }

  /// The label mode `options` ask for: `.file` with a labels file, otherwise the one given or the
  /// one `folder` suggests.
  ///
  /// - Throws: `StoreError.conflictingLabelOptions` for a labels file with folder labels or none,
  ///   or `.file` without a labels file.
  static func labelMode(_ options: DatasetAddOptions, folder: String) throws(StoreError) -> LabelMode {
    switch (options.labels, options.labelsFile) {
    case (nil, .some), (.file, .some):
      return .file
    case (.some(let mode), .some):
      throw .conflictingLabelOptions(
        reason: "--labels \(mode.rawValue) and --labels-file cannot be used together")
    case (.file, nil):
      throw .conflictingLabelOptions(reason: "labels from a file need --labels-file")
    case (.some(let mode), nil):
      return mode
    case (nil, nil):
      return SourceFolder.inferredLabelMode(folder)
    }
  }

  /// SHA-256 over the samples' paths, labels and objects, in order: equal digests, equal content.
  ///
  /// Each sample contributes `len(path):path` `N` or `Llen(label):label` and its hash, so no two
  /// different lists can produce the same byte stream.
  package static func contentDigest(_ samples: [NewSample]) -> String {
    var hasher = SHA256()
    for sample in samples {
      var line = "\(sample.path.utf8.count):\(sample.path)"
      if let label = sample.label {
        line += "L\(label.utf8.count):\(label)"
      } else {
        line += "N"
      }
      line += sample.objectHash + "\n"
      hasher.update(data: Array(line.utf8))
    }
    return hasher.finalize().hexString
  }

  private func makeStagingFolder() throws(StoreError) -> String {
    let path = "\(root)/tmp/add-\(getpid())-\(UUID().uuidString.lowercased())"
    try FileIO.makeDirectory(path)
    return path
  }

  /// Reads, hashes and decodes every file on `options.jobs` threads; originals not yet stored
  /// are written (unflushed) under `staging`.
  private func scan(
    _ files: [SourceFile], staging: String, options: DatasetAddOptions, progress: ProgressHandler?
  ) -> [Result<ScannedImage, ImageRejection>] {
    let results = ResultSlots<Result<ScannedImage, ImageRejection>>(count: files.count)
    let objects = self.objects
    Parallel.forEach(count: files.count, threads: options.jobs ?? Parallel.coreCount) { index in
      results[index] = Self.scanOne(
        files[index], index: index, staging: staging, objects: objects, pixelBudget: options.pixelBudget)
      progress?(ProgressUpdate(phase: "decoding", completed: index + 1, total: files.count))
    }
    return results.values.map { $0 ?? .failure(ImageRejection(reason: "not read")) }
  }

  private static func scanOne(
    _ file: SourceFile, index: Int, staging: String, objects: ObjectStore, pixelBudget: Int
  ) -> Result<ScannedImage, ImageRejection> {
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(file.absolutePath)
    } catch {
      return .failure(ImageRejection(reason: "cannot read: \(Self.reason(error))"))
    }
    guard !bytes.isEmpty else { return .failure(ImageRejection(reason: "empty file")) }
    let shape: ImageShape
    switch ImageValidation.validate(bytes, pixelBudget: pixelBudget) {
    case .success(let decoded): shape = decoded
    case .failure(let rejection): return .failure(rejection)
    }
    let hash = ObjectStore.hash(bytes)
    var stagedPath: String?
    if !objects.contains(hash) {
      let path = "\(staging)/\(index)"
      do {
        try FileIO.writeNew(path, bytes, sync: false)
      } catch {
        return .failure(ImageRejection(reason: "cannot stage: \(Self.reason(error))", storeFailure: error))
      }
      stagedPath = path
    }
    return .success(ScannedImage(hash: hash, size: bytes.count, shape: shape, stagedPath: stagedPath))
  }

  private static func reason(_ error: StoreError) -> String {
    if case .io(_, let message) = error { return message }
    return error.localizedDescription
  }
}

/// One file after reading, hashing and decoding.
struct ScannedImage: Sendable {
  var hash: String
  var size: Int
  var shape: ImageShape
  /// Where the original was staged, when it was not yet in the store.
  var stagedPath: String?
}

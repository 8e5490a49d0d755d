import AugStoreImaging
import AugStoreTransforms
import Foundation

/// Errors raised by the store, each naming the path, dataset or object at fault.
public enum StoreError: Error, LocalizedError, Equatable, Sendable {
  /// No store at this path.
  case storeNotFound(path: String)
  /// The store's `catalog.json` (or `AUGSTORE_CATALOG`, named as `path`) does not name a server
  /// catalog.
  case invalidCatalogConfiguration(path: String, reason: String)
  /// `init --catalog` named another catalog than the one the existing store (or its folder) has.
  case catalogMismatch(path: String, existing: String, requested: String)
  /// `catalog copy` could not copy the catalog to `to` (named without a password).
  case catalogCopy(to: String, reason: String)
  /// A name (of a dataset or tag) that augstore does not accept.
  case invalidName(kind: String, name: String)
  /// A dataset reference that is not `NAME`, `NAME@vN` or `NAME@TAG`.
  case invalidReference(String)
  /// A source folder that does not exist or is not a folder.
  case sourceNotFound(path: String)
  /// A source folder with no `.png`, `.jpg` or `.jpeg` file in it.
  case noImages(path: String)
  /// Images that cannot be registered; nothing was registered unless `--skip-invalid` was given.
  case invalidImages(folder: String, files: [InvalidFile])
  /// A labels file that cannot be read or split into rows, or whose header lacks a column;
  /// `line` is where the problem is (`nil` when the file cannot be read at all).
  case invalidLabelsFile(path: String, line: Int?, reason: String)
  /// A labels file that does not match the source folder's images (rows naming no image, paths
  /// listed twice, empty labels, images without a row); nothing was registered.
  case labelsMismatch(file: String, problems: [LabelsProblem])
  /// Label options that contradict each other, e.g. folder labels and a labels file.
  case conflictingLabelOptions(reason: String)
  /// A file system operation failed.
  case io(path: String, message: String)
  /// An export would overwrite an existing file.
  case exportTargetExists(path: String)
  /// An object the catalog lists is missing from `objects/`.
  case objectMissing(hash: String, path: String)
  /// An object's bytes no longer hash to its name.
  case objectCorrupt(hash: String, path: String)
  /// An object that no longer decodes.
  case invalidObject(hash: String, path: String, reason: String)
  /// Recorded parameters that cannot be applied to an original.
  case cannotApply(object: String, reason: String)
  /// A tensor whose bytes differ from the digest recorded for it.
  case digestMismatch(run: String, epoch: Int, sample: Int, path: String)
  /// A replay output that cannot be written in the requested form.
  case unsupportedOutput(reason: String)
  /// A pipeline spec file that cannot be used; `reason` names the transform and field.
  case invalidSpec(path: String, reason: String)
  /// A pipeline that cannot apply to an image of the dataset (e.g. a crop larger than it).
  case pipelineDoesNotFit(pipeline: String, dataset: String, samplePath: String, reason: String)
  /// An epoch selection that is not `N`, `A-B` or a comma list of those.
  case invalidEpochs(text: String, reason: String)
  /// A `--shard` that is not `I/N` with `0 <= I < N`.
  case invalidShard(text: String, reason: String)
  /// A run with no recorded epoch at all.
  case noRecordedEpochs(run: String)
  /// A `--sample` that is neither an index nor a path of the run's dataset version.
  case sampleNotFound(run: String, sample: String)
  /// A run recorded with a decoder version this augstore does not know (made by a newer one).
  case unsupportedDecoder(run: String, version: Int)
  /// A run rendered with a kernel version this augstore does not know (made by a newer one).
  case unsupportedKernels(run: String, version: Int)
  /// A pipeline with a batch-level layer (MixUp, CutMix) given to a run without a batch size.
  case batchSizeRequired(pipeline: String, transform: String)
  /// Images of a dataset that reach a batch-level layer with different sizes.
  case unevenSizesForMixing(
    pipeline: String, transform: String, first: String, firstSize: String, other: String, otherSize: String)
  /// A run recorded with a draw scheme this augstore does not know (made by a newer one).
  case unsupportedDrawScheme(run: String, scheme: Int)
  /// A batch size, rank or world size that cannot split an epoch into batches.
  case invalidBatchPlan(reason: String)
  /// A global batch index past the end of an epoch.
  case batchOutOfRange(run: String, epoch: Int, batch: Int, batchCount: Int)
  /// A batch whose tensors differ in shape, so they cannot be stacked.
  case mixedShapes(run: String, epoch: Int, batch: Int, first: [Int], other: [Int], path: String)

  /// A description naming the path, dataset or object; one line except for lists of files.
  public var errorDescription: String? {
    switch self {
    case .storeNotFound(let path):
      return "\(path): no augstore store here (create one with `augstore init \(path)`)"
    case .invalidCatalogConfiguration(let path, let reason):
      return "\(path): \(reason)"
    case .catalogMismatch(let path, let existing, let requested):
      return "\(path): the store's catalog is \(existing), not \(requested)"
    case .catalogCopy(let target, let reason):
      return "\(target): \(reason); the store still uses its catalog"
    case .invalidName(let kind, let name):
      return "invalid \(kind) name \"\(name)\": use 1 to 128 letters, digits, '.', '_' or '-', "
        + "starting with a letter or digit"
    case .invalidReference(let text):
      return "invalid dataset reference \"\(text)\": expected NAME, NAME@vN or NAME@TAG"
    case .sourceNotFound(let path):
      return "\(path): no such folder"
    case .noImages(let path):
      return "\(path): no .png, .jpg or .jpeg files found"
    case .invalidImages(let folder, let files):
      let noun = files.count == 1 ? "invalid image" : "invalid images"
      let list = files.map { "  \($0.path): \($0.reason)" }.joined(separator: "\n")
      return
        "\(folder): \(files.count) \(noun), nothing registered (use --skip-invalid to register the rest):\n"
        + list
    case .invalidLabelsFile(let path, let line, let reason):
      return "\(path): " + (line.map { "line \($0): " } ?? "") + reason
    case .labelsMismatch(let file, let problems):
      let noun = problems.count == 1 ? "problem" : "problems"
      let hint =
        problems.contains { $0.line == nil }
        ? " (use --skip-invalid to skip the images without a row)" : ""
      let list = problems.map { "  \($0.description)" }.joined(separator: "\n")
      return "\(file): \(problems.count) \(noun), nothing registered\(hint):\n" + list
    case .conflictingLabelOptions(let reason):
      return reason
    case .io(let path, let message):
      return "\(path): \(message)"
    case .exportTargetExists(let path):
      return "\(path): already exists; export writes only new files"
    case .objectMissing(let hash, let path):
      return "\(path): object \(hash) is missing from the store"
    case .objectCorrupt(let hash, let path):
      return "\(path): object \(hash) is damaged (its bytes no longer match its SHA-256)"
    case .invalidObject(let hash, let path, let reason):
      return "\(path): object \(hash) does not decode: \(reason)"
    case .cannotApply(let object, let reason):
      return "object \(object): \(reason)"
    case .digestMismatch(let run, let epoch, let sample, let path):
      return
        "run \"\(run)\" epoch \(epoch) sample \(sample) (\(path)): the tensor does not match its recorded digest"
    case .unsupportedOutput(let reason):
      return reason
    case .invalidSpec(let path, let reason):
      return "\(path): \(reason)"
    case .pipelineDoesNotFit(let pipeline, let dataset, let samplePath, let reason):
      return "pipeline \"\(pipeline)\" does not fit \(dataset) sample \(samplePath): \(reason)"
    case .invalidEpochs(let text, let reason):
      return "invalid epochs \"\(text)\": \(reason) (expected N, A-B or a list like 0-2,5,7-9)"
    case .invalidShard(let text, let reason):
      return "invalid shard \"\(text)\": \(reason) (expected I/N, shard I of N hosts, 0 <= I < N, e.g. 0/4)"
    case .noRecordedEpochs(let run):
      return "run \"\(run)\" has no recorded epochs (record some with `augstore record \(run) --epochs 0-9`)"
    case .sampleNotFound(let run, let sample):
      return
        "run \"\(run)\": no sample \"\(sample)\" in its dataset version (give an index or a relative path)"
    case .unsupportedDecoder(let run, let version):
      return "run \"\(run)\" decodes its originals with decoder version \(version); this augstore knows "
        + "versions 1 to \(DecoderVersion.current.rawValue): upgrade augstore to replay it"
    case .unsupportedKernels(let run, let version):
      return "run \"\(run)\" renders with kernel version \(version); this augstore knows "
        + "versions 1 to \(KernelVersion.current.rawValue): upgrade augstore to replay it"
    case .batchSizeRequired(let pipeline, let transform):
      return "pipeline \(pipeline) has \(transform), a batch-level layer that mixes samples of a batch: "
        + "give the run a batch size (--batch-size B)"
    case .unevenSizesForMixing(
      let pipeline, let transform, let first, let firstSize, let other, let otherSize):
      return "pipeline \(pipeline): \(transform) mixes images of one size, but \(first) reaches it as "
        + "\(firstSize) and \(other) as \(otherSize) (crop or resize them to one size first)"
    case .unsupportedDrawScheme(let run, let scheme):
      return "run \"\(run)\" draws its parameters with draw scheme \(scheme); this augstore knows "
        + "schemes 1 to \(DrawScheme.current.rawValue): upgrade augstore to record its epochs"
    case .invalidBatchPlan(let reason):
      return reason
    case .batchOutOfRange(let run, let epoch, let batch, let batchCount):
      return "run \"\(run)\" epoch \(epoch) has \(batchCount) batches of this size: no batch \(batch)"
    case .mixedShapes(let run, let epoch, let batch, let first, let other, let path):
      return
        "run \"\(run)\" epoch \(epoch) batch \(batch): tensors of shape \(first) and \(other) (\(path)) "
        + "cannot be stacked; end the pipeline with Resizing, CenterCrop or RandomCrop"
    }
  }
}

/// A file that could not be registered, and why.
public struct InvalidFile: Sendable, Equatable, Codable {
  /// Path relative to the source folder.
  public var path: String
  /// What is wrong with it, e.g. "not a PNG file".
  public var reason: String

  /// Describes an invalid file.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
}

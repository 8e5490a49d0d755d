import AugStoreCatalog
import AugStoreImaging
import AugStoreTransforms

/// A run with everything it refers to.
public struct RunDetails: Sendable, Equatable {
  /// The run.
  public var run: Run
  /// Its dataset.
  public var dataset: Dataset
  /// Its dataset version.
  public var version: DatasetVersion
  /// Its pipeline version.
  public var pipeline: Pipeline
}

extension Store {
  /// Creates an immutable run of `pipeline` over `dataset` with master seed `seed`.
  ///
  /// The pipeline is checked against every image size in the dataset version first: a crop
  /// larger than some image is refused here, naming a sample that has that size. A pipeline with a
  /// batch-level layer (MixUp, CutMix) needs `batchSize`, and every image must reach that layer with
  /// the same size (partners are mixed pixel for pixel).
  public func createRun(
    named name: String, dataset: DatasetReference, pipeline: PipelineReference, seed: UInt64, shuffle: Bool,
    batchSize: Int? = nil
  ) throws -> RunDetails {
    try Names.checkRun(name)
    let (datasetRow, version) = try resolve(dataset)
    let (pipelineRow, spec) = try self.pipeline(pipeline)
    if let batchSize, batchSize < 1 {
      throw StoreError.invalidBatchPlan(reason: "--batch-size must be at least 1, got \(batchSize)")
    }
    if let layer = spec.batchLevelIndex, batchSize == nil {
      throw StoreError.batchSizeRequired(
        pipeline: pipeline.description, transform: spec.transforms[layer].typeName)
    }
    var mixedSize: (size: ImageSize, path: String)?
    for size in try catalog.imageSizes(in: version) {
      do {
        let sizes = try spec.imageSizes(input: ImageSize(height: size.height, width: size.width))
        if let layer = spec.batchLevelIndex {
          if let first = mixedSize, first.size != sizes[layer] {
            throw StoreError.unevenSizesForMixing(
              pipeline: pipeline.description, transform: spec.transforms[layer].typeName,
              first: first.path, firstSize: first.size.description, other: size.path,
              otherSize: sizes[layer].description)
          }
          mixedSize = mixedSize ?? (sizes[layer], size.path)
        }
      } catch let error as StoreError {
        throw error
      } catch {
        throw StoreError.pipelineDoesNotFit(
          pipeline: pipeline.description, dataset: "\(datasetRow.name)@v\(version.number)",
          samplePath: size.path,
          reason: error.localizedDescription)
      }
    }
    guard let versionId = version.id, let pipelineId = pipelineRow.id else {
      throw StoreError.invalidReference(dataset.description)
    }
    let run = try catalog.createRun(
      Run(
        name: name, datasetVersionId: versionId, pipelineId: pipelineId, seed: seed, shuffle: shuffle,
        drawScheme: DrawScheme.current.rawValue, createdAt: "", decoder: DecoderVersion.current.rawValue,
        batchSize: batchSize, kernels: KernelVersion.current.rawValue))
    return RunDetails(run: run, dataset: datasetRow, version: version, pipeline: pipelineRow)
  }

  /// A run with its dataset version and pipeline.
  public func runDetails(named name: String) throws -> RunDetails {
    let run = try catalog.run(named: name)
    let (dataset, version) = try catalog.datasetVersion(id: run.datasetVersionId)
    return RunDetails(
      run: run, dataset: dataset, version: version, pipeline: try catalog.pipeline(id: run.pipelineId))
  }

  /// Every run with its dataset version and pipeline, by name.
  public func listRuns() throws -> [RunDetails] {
    try catalog.runs().map { try runDetails(named: $0.name) }
  }
}

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
  /// larger than some image is refused here, naming a sample that has that size.
  public func createRun(
    named name: String, dataset: DatasetReference, pipeline: PipelineReference, seed: UInt64, shuffle: Bool
  ) throws -> RunDetails {
    try Names.checkRun(name)
    let (datasetRow, version) = try resolve(dataset)
    let (pipelineRow, spec) = try self.pipeline(pipeline)
    for size in try catalog.imageSizes(in: version) {
      do {
        _ = try spec.imageSizes(input: ImageSize(height: size.height, width: size.width))
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
        drawScheme: DrawScheme.current.rawValue, createdAt: "", decoder: DecoderVersion.current.rawValue))
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

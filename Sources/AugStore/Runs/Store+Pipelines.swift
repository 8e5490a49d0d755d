import AugStoreCatalog
import AugStoreTransforms

/// A pipeline as `NAME` (latest version) or `NAME@vN`.
public struct PipelineReference: Sendable, Equatable, CustomStringConvertible {
  /// The pipeline's name.
  public var name: String
  /// A version number, or `nil` for the latest.
  public var version: Int?

  /// Parses `NAME` or `NAME@vN`.
  public init(parsing text: String) throws(StoreError) {
    let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    guard let first = parts.first, Names.isValid(String(first)) else { throw .invalidReference(text) }
    name = String(first)
    if parts.count == 2 {
      guard let number = Names.versionNumber(parts[1]) else { throw .invalidReference(text) }
      version = number
    }
  }

  /// The reference as the user would write it.
  public var description: String { version.map { "\(name)@v\($0)" } ?? name }
}

extension Store {
  /// Parses, validates and stores a pipeline spec under `name`.
  ///
  /// A spec whose canonical form equals the latest version's stores nothing; a changed spec
  /// becomes the next version.
  ///
  /// - Parameter source: the spec file's path, named in errors.
  public func addPipeline(named name: String, specJSON: [UInt8], source: String) throws -> PipelineCommit {
    try Names.checkPipeline(name)
    let spec: PipelineSpec
    do {
      spec = try PipelineSpec(jsonBytes: specJSON)
    } catch {
      throw StoreError.invalidSpec(path: source, reason: error.localizedDescription)
    }
    return try catalog.commitPipeline(
      name: name, fingerprint: spec.fingerprint, canonicalSpec: spec.canonicalJSON)
  }

  /// The stored pipeline and its parsed spec.
  public func pipeline(_ reference: PipelineReference) throws -> (Pipeline, PipelineSpec) {
    let pipeline = try catalog.pipeline(named: reference.name, version: reference.version)
    return (pipeline, try Self.spec(of: pipeline))
  }

  /// Parses a stored pipeline's canonical spec.
  package static func spec(of pipeline: Pipeline) throws -> PipelineSpec {
    do {
      return try PipelineSpec(json: pipeline.spec)
    } catch {
      throw StoreError.invalidSpec(
        path: "pipeline \(pipeline.name)@v\(pipeline.version)", reason: error.localizedDescription)
    }
  }
}

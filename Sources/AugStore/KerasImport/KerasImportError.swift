import Foundation

/// One Keras layer that cannot become an augstore transform, and why.
public struct KerasLayerProblem: Equatable, Sendable {
  /// The layer's name in the model (`config.name`).
  public var name: String
  /// The layer's Keras class (`RandomInvert`, `Dense`, ...).
  public var className: String
  /// Why it cannot be converted.
  public var reason: String

  /// Creates a problem report.
  public init(name: String, className: String, reason: String) {
    self.name = name
    self.className = className
    self.reason = reason
  }
}

/// Why a saved Keras model (`.keras`) could not become an augstore pipeline.
///
/// Every case names the model file; messages are one line.
public enum KerasImportError: LocalizedError, Equatable, Sendable {
  /// The file could not be read.
  case unreadable(path: String, reason: String)
  /// The file is not a zip archive (a `.keras` file is one).
  case notAZip(path: String)
  /// The archive uses a zip feature this reader does not handle (ZIP64, encryption, another compression).
  case unsupportedArchive(path: String, reason: String)
  /// An archive member's bytes are damaged (bad inflate stream or CRC-32).
  case corruptMember(path: String, member: String)
  /// The archive holds no `config.json`.
  case missingConfig(path: String)
  /// `config.json` is not the JSON of a Keras model.
  case invalidConfig(path: String, reason: String)
  /// The model does not start with image preprocessing layers.
  case noPreprocessingLayers(path: String)
  /// Some of the model's preprocessing layers cannot be converted (all of them are listed).
  case unconvertibleLayers(path: String, problems: [KerasLayerProblem])

  /// A one-line message naming the model file.
  public var errorDescription: String? {
    switch self {
    case .unreadable(let path, let reason):
      return "\(path): cannot read the model: \(reason)"
    case .notAZip(let path):
      return "\(path): not a saved Keras model (a .keras file is a zip archive)"
    case .unsupportedArchive(let path, let reason):
      return "\(path): \(reason)"
    case .corruptMember(let path, let member):
      return "\(path): \(member) is damaged (its data does not match its checksum)"
    case .missingConfig(let path):
      return "\(path): no config.json in the archive: not a Keras 3 model"
    case .invalidConfig(let path, let reason):
      return "\(path): config.json: \(reason)"
    case .noPreprocessingLayers(let path):
      return "\(path): the model does not start with image preprocessing layers"
    case .unconvertibleLayers(let path, let problems):
      let listed = problems.map { "layer '\($0.name)' (\($0.className)): \($0.reason)" }.joined(
        separator: "; ")
      return "\(path): cannot convert \(problems.count) layer(s): \(listed)"
    }
  }
}

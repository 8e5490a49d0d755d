import Foundation

/// Why a pipeline spec was rejected, with a message that names the transform index and field.
///
/// Messages have the form `<location>: <problem>`, where the location is `transforms[i] (Type)` for a
/// transform's argument, or the top-level key (`original_probability`, `output.dtype`, `pipeline`):
///
/// - `transforms[2] (RandomRotation): unknown argument "factr"`
/// - `transforms[0] (RandomCrop): height 300 is larger than the image height 224`
/// - `original_probability: 1.5 is out of range [0, 1]`
public struct PipelineSpecError: Error, LocalizedError, Equatable, Sendable, CustomStringConvertible {
  /// The category of a rejection.
  public enum Kind: String, Equatable, Sendable {
    /// The input is not valid JSON, or not a JSON object at the top level.
    case invalidJSON
    /// A transform's `type` is missing or names no supported transform.
    case unknownType
    /// An object holds a key that the transform (or the top level) does not take.
    case unknownArgument
    /// A required argument is absent.
    case missingArgument
    /// A value has the wrong JSON type (e.g. a string where a number belongs).
    case wrongType
    /// A number lies outside the range the argument accepts.
    case outOfRange
    /// A value is of the right type but not accepted (unknown enum string, wrong list length...).
    case invalidValue
    /// A transform appears where the pipeline cannot run it (after Rescaling or Normalization).
    case invalidOrder
    /// A crop is larger than the image it is applied to.
    case imageTooSmall
  }

  /// The category of the rejection.
  public let kind: Kind
  /// The index of the offending transform in `transforms`, if the problem is inside one.
  public let transformIndex: Int?
  /// The argument or key at fault (`factor`, `type`, `original_probability`, `output.dtype`), if any.
  public let field: String?
  /// The full human-readable message, naming the transform index and field.
  public let message: String

  /// Creates an error; `message` is the complete text shown to users.
  public init(kind: Kind, transformIndex: Int?, field: String?, message: String) {
    self.kind = kind
    self.transformIndex = transformIndex
    self.field = field
    self.message = message
  }

  /// The message, for `LocalizedError`.
  public var errorDescription: String? { message }

  /// The message.
  public var description: String { message }
}

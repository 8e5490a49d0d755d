/// How far a long operation has come; handed to a `ProgressHandler`.
public struct ProgressUpdate: Sendable, Equatable {
  /// What is being done, e.g. "decoding".
  public var phase: String
  /// Items done so far.
  public var completed: Int
  /// Items in all.
  public var total: Int

  /// Describes progress.
  public init(phase: String, completed: Int, total: Int) {
    self.phase = phase
    self.completed = completed
    self.total = total
  }
}

/// Receives progress updates; may be called from several threads at once.
public typealias ProgressHandler = @Sendable (ProgressUpdate) -> Void

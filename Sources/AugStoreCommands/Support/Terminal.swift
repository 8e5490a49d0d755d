import AugStore
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Writing to the terminal: errors, notes and progress bars on stderr, results on stdout.
enum Terminal {
  /// Writes `message` and a newline to stderr.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }

  /// Whether stderr is a terminal (progress bars are drawn only then).
  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

  /// Prints `value` as pretty, key-sorted JSON on stdout.
  static func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
  }
}

/// A progress bar on stderr, drawn only when stderr is a terminal, at most ten times a second.
final class ProgressBar: Sendable {
  private struct State {
    var lastDraw: UInt64 = 0
    var drawn = false
    var phase = ""
  }
  private let state = Mutex(State())
  private let enabled: Bool

  init(enabled: Bool = Terminal.stderrIsTerminal) {
    self.enabled = enabled
  }

  /// The handler to pass to library calls, or `nil` when no bar is drawn.
  var handler: ProgressHandler? {
    guard enabled else { return nil }
    return { [self] update in self.update(update) }
  }

  private func update(_ update: ProgressUpdate) {
    let now = DispatchTime.now().uptimeNanoseconds
    state.withLock { state in
      let finished = update.completed >= update.total
      guard finished || update.phase != state.phase || now - state.lastDraw > 100_000_000 else { return }
      state.lastDraw = now
      state.phase = update.phase
      state.drawn = true
      let fraction = update.total > 0 ? Double(update.completed) / Double(update.total) : 1
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
      let line = "\r\(update.phase) [\(bar)] \(Int(fraction * 100))% \(update.completed)/\(update.total)"
      FileHandle.standardError.write(Data(line.utf8))
    }
  }

  /// Ends the bar's line, if one was drawn.
  func finish() {
    state.withLock { state in
      if state.drawn {
        FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8))
        state.drawn = false
      }
    }
  }
}

/// Formats byte counts for people: 1.2 MB.
enum ByteCount {
  static func format(_ bytes: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f ", value) + units[unit]
  }
}

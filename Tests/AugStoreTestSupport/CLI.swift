import Foundation

/// Runs the real `augstore` executable built beside the test bundle.
public enum CLI {
  /// What one run printed and returned.
  public struct Outcome: Sendable {
    /// The exit code.
    public var status: Int32
    /// Everything written to stdout.
    public var stdout: String
    /// Everything written to stderr.
    public var stderr: String
  }

  /// The built `augstore` binary: in the same folder as the running test executable.
  public static var executable: String {
    let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return testBinary.deletingLastPathComponent().appendingPathComponent("augstore").path
  }

  /// Starts `augstore arguments…` and returns the process (not yet finished).
  public static func start(
    _ arguments: [String], environment: [String: String] = [:]
  ) throws -> (
    Process, Pipe, Pipe
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "AUGSTORE_STORE")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return (process, out, err)
  }

  /// Waits for a started process and collects its output.
  public static func finish(_ started: (Process, Pipe, Pipe)) -> Outcome {
    let (process, out, err) = started
    // Read before waiting so a full pipe never blocks the child.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// Runs `augstore arguments…` to completion.
  @discardableResult
  public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
    finish(try start(arguments, environment: environment))
  }

  /// Runs a command with `--json` and parses stdout.
  public static func json(_ arguments: [String]) throws -> Any {
    let outcome = try run(arguments + ["--json"])
    guard outcome.status == 0 else {
      throw CLIFailure(arguments: arguments, outcome: outcome)
    }
    return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
  }
}

/// A CLI run that was expected to succeed and did not.
public struct CLIFailure: Error, CustomStringConvertible {
  /// The arguments given.
  public var arguments: [String]
  /// What happened.
  public var outcome: CLI.Outcome

  /// Describes a failed run.
  public init(arguments: [String], outcome: CLI.Outcome) {
    self.arguments = arguments
    self.outcome = outcome
  }

  /// The command and its stderr.
  public var description: String {
    "augstore \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.stderr)"
  }
}

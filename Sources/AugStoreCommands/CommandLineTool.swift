import ArgumentParser
import Foundation

/// Runs the `augstore` command line: parses, runs, prints errors and sets the exit code.
///
/// Exit codes: 0 success, 1 bad input or state (a one-line error on stderr naming the path,
/// dataset or object at fault), 2 usage errors.
public enum CommandLineTool {
  /// Parses the process arguments, runs the command and exits.
  public static func main() -> Never {
    exit(run(Array(CommandLine.arguments.dropFirst())))
  }

  /// Parses and runs `arguments` (without the program name); returns the exit code.
  public static func run(_ arguments: [String]) -> Int32 {
    do {
      var command = try AugStoreCommand.parseAsRoot(arguments)
      try command.run()
      return 0
    } catch let exit as ExitCode {
      return exit.rawValue
    } catch {
      return report(error)
    }
  }

  /// Prints `error` the way its kind asks for and returns the exit code.
  private static func report(_ error: any Error) -> Int32 {
    switch AugStoreCommand.exitCode(for: error) {
    case .success:
      // --help and --version arrive as errors from the parser.
      print(AugStoreCommand.fullMessage(for: error))
      return 0
    case .validationFailure:
      Terminal.printError(AugStoreCommand.fullMessage(for: error))
      return 2
    default:
      let description = (error as? LocalizedError)?.errorDescription ?? "\(error)"
      Terminal.printError("augstore: error: \(description)")
      return 1
    }
  }
}

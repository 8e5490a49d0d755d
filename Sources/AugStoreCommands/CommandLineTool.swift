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
    var command: ParsableCommand
    do {
      command = try AugStoreCommand.parseAsRoot(arguments)
    } catch {
      let code = AugStoreCommand.exitCode(for: error)
      let message = AugStoreCommand.fullMessage(for: error)
      if code == .success {
        print(message)
        return 0
      }
      Terminal.printError(message)
      return 2
    }
    do {
      try command.run()
      return 0
    } catch let exit as ExitCode {
      return exit.rawValue
    } catch {
      if let description = (error as? LocalizedError)?.errorDescription {
        Terminal.printError("augstore: error: \(description)")
      } else {
        Terminal.printError("augstore: error: \(error)")
      }
      return 1
    }
  }
}

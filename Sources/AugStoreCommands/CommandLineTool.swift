import ArgumentParser
import Foundation

/// Runs the `augstore` command line: parses, runs, prints errors and sets the exit code.
///
/// Exit codes: 0 success, 1 bad input or state (a one-line error on stderr naming the path,
/// dataset or object at fault), 2 usage errors.
public enum CommandLineTool {
  /// Parses the process arguments, runs the command and exits.
  public static func main() -> Never {
    tuneAllocator()
    exit(run(Array(CommandLine.arguments.dropFirst())))
  }

  /// Keeps freed image buffers in the process instead of handing them back to the kernel.
  ///
  /// Every rendered sample allocates about ten buffers of 100–200 KB (decoded pixels, one per pass,
  /// the `.npy` bytes). With glibc's defaults, blocks that size are mapped and unmapped, or trimmed
  /// from worker threads' heaps with `madvise`, so every sample faulted its pages in again: about a
  /// seventh of an epoch's CPU time went to page faults and `madvise`. Fixed thresholds keep them in
  /// the heaps (a few megabytes per thread).
  static func tuneAllocator() {
    #if canImport(Glibc)
      // glibc's `int mallopt(int, int)`; <malloc.h> is not part of the Glibc module, so it is looked up.
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
      let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
      // <malloc.h>: M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1.
      _ = mallopt(-3, 32 << 20)
      _ = mallopt(-1, 256 << 20)
    #endif
  }

  /// Parses and runs `arguments` (without the program name); returns the exit code.
  public static func run(_ arguments: [String]) -> Int32 {
    if let history = HistoryInvocation(arguments) {
      do {
        try history.run()
        return 0
      } catch {
        return report(error)
      }
    }
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

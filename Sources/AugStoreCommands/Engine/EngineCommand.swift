import ArgumentParser
import AugStore
import Foundation

/// `augstore engine`: serves batches to the Python package over stdin and stdout.
struct EngineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "engine",
    abstract: "Serve a run's batches to a training loop over stdin/stdout (used by the Python package).",
    discussion: """
      A long-lived process that the Python package (`import augstore`) starts once per loader. It \
      speaks a small line-based protocol (version \(EngineProtocol.version)): JSON requests on \
      stdin, a JSON line per response on stdout, each batch's tensor data after its line. Batch k \
      of epoch e is byte for byte what `augstore replay RUN --epoch e --batch k --batch-size B` \
      writes; every tensor's digest is recorded on its first delivery and checked on later ones. \
      It exits when stdin closes. See the README's "Training loops" section for the protocol.
      """
  )

  @OptionGroup var global: GlobalOptions

  @OptionGroup var threads: JobsOptions

  @Option(name: .long, help: "Rendered batches that may wait to be read by the client (memory bound).")
  var prefetch = EngineServer.defaultPendingResponses

  func validate() throws {
    if prefetch < 1 { throw ValidationError("--prefetch must be at least 1") }
  }

  func run() throws {
    // A client that goes away shows up as a failed write, not as a signal.
    signal(SIGPIPE, SIG_IGN)
    EngineServer(storePath: global.storePath, jobs: threads.jobs, pending: prefetch, input: 0, output: 1)
      .run()
  }
}

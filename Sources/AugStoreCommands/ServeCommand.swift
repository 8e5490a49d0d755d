import ArgumentParser
import AugStoreServer
import Foundation
import Synchronization

/// `augstore serve [--port 8765] [--host 127.0.0.1] [--token T]`.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve read-only web pages about the store's datasets and runs (Ctrl-C stops).",
    discussion: """
      Pages: datasets and versions (with diffs), runs, an epoch's samples as thumbnails in the \
      recorded order, one sample's timeline, a run's statistics as charts. Every page has a JSON \
      twin under /api/…. The store is opened read-only and nothing is written to it.

      Listens on 127.0.0.1 unless --host names another address; a host other than a loopback \
      address requires --token, and every request must then carry it (Authorization: Bearer T, \
      or ?token=T).
      """
  )

  @OptionGroup var global: GlobalOptions

  @Option(name: .long, help: "The port (0: any free port).")
  var port: Int = ServerConfiguration.defaultPort

  @Option(name: .long, help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(name: .long, help: "A token every request must carry (required with a non-loopback --host).")
  var token: String?

  func run() throws {
    let server = try StoreServer(
      configuration: ServerConfiguration(storePath: global.storePath, host: host, port: port, token: token))
    let outcome = ServeOutcome()
    let finished = DispatchSemaphore(value: 0)
    let storePath = global.storePath
    Task {
      do {
        try await server.run { url in
          let line = "augstore serve: \(url) (store \(storePath), read-only; Ctrl-C stops)\n"
          FileHandle.standardOutput.write(Data(line.utf8))
        }
      } catch {
        outcome.set(error)
      }
      finished.signal()
    }
    finished.wait()
    if let error = outcome.error { throw error }
  }
}

/// The error a server task ended with, handed back to the command's thread.
private final class ServeOutcome: Sendable {
  private let stored = Mutex<(any Error)?>(nil)

  func set(_ error: any Error) { stored.withLock { $0 = error } }
  var error: (any Error)? { stored.withLock { $0 } }
}

import Foundation

/// The PostgreSQL server the tests of the PostgreSQL catalog use.
///
/// `AUGSTORE_TEST_POSTGRES` (a `postgresql://` URL, with `PGPASSWORD` or `PGPASSFILE` for its
/// password) names a running server, as `Tools/test` provides; otherwise the first use starts a
/// private one with `Tools/pg-server` in a temporary folder, which is stopped and removed when the
/// test process exits.
public enum PostgresTestServer {
  /// The server's URL and the environment that authenticates to it.
  public struct Server: Sendable {
    /// `postgresql://USER@HOST:PORT/DATABASE`.
    public let url: String
    /// `PGPASSWORD` or `PGPASSFILE` for the server.
    public let environment: [String: String]
  }

  /// The server, started on first use.
  public static let shared: Result<Server, PostgresTestServerError> = start()

  static func start() -> Result<Server, PostgresTestServerError> {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["AUGSTORE_TEST_POSTGRES"] {
      var auth: [String: String] = [:]
      for name in ["PGPASSWORD", "PGPASSFILE"] { auth[name] = environment[name] }
      return .success(Server(url: url, environment: auth))
    }
    let folder = FileManager.default.temporaryDirectory.path + "/augstore-pg-\(getpid())"
    let script = Files.repositoryRoot + "/Tools/pg-server"
    let started = run([script, "start", folder, "--fast"], log: folder + ".log")
    guard started.status == 0, let url = try? String(contentsOfFile: folder + "/url", encoding: .utf8) else {
      return .failure(PostgresTestServerError(message: "Tools/pg-server start failed: \(started.output)"))
    }
    serverFolder = folder
    // Commands the tests run, and stores they open in-process, find the password as users' do.
    setenv("PGPASSFILE", folder + "/pgpass", 1)
    atexit {
      guard let folder = PostgresTestServer.serverFolder else { return }
      _ = PostgresTestServer.run([Files.repositoryRoot + "/Tools/pg-server", "destroy", folder])
      unlink(folder + ".log")
    }
    return .success(
      Server(
        url: url.trimmingCharacters(in: .whitespacesAndNewlines),
        environment: ["PGPASSFILE": folder + "/pgpass"]))
  }

  /// A server of the test's own (for tests that stop or restart it), in a new folder; call
  /// ``PrivateServer/destroy()`` when done. Its password file is the same kind as the shared server's.
  public static func startPrivate() throws -> PrivateServer {
    let folder =
      FileManager.default.temporaryDirectory.path
      + "/augstore-pg-private-\(getpid())-\(UUID().uuidString.prefix(6))"
    let started = run(
      [Files.repositoryRoot + "/Tools/pg-server", "start", folder, "--fast"], log: folder + ".log")
    guard started.status == 0, let url = try? String(contentsOfFile: folder + "/url", encoding: .utf8) else {
      throw PostgresTestServerError(message: "Tools/pg-server start failed: \(started.output)")
    }
    return PrivateServer(
      folder: folder, url: url.trimmingCharacters(in: .whitespacesAndNewlines),
      environment: [
        "PGPASSFILE": folder + "/pgpass", "PGPASSWORD": "",
        // A connection idle across a restart waits this long for its answer (see PostgresSession).
        "AUGSTORE_POSTGRES_TIMEOUT": "10",
      ])
  }

  /// A server started by one test.
  public struct PrivateServer: Sendable {
    /// The server's folder.
    public let folder: String
    /// `postgresql://USER@HOST:PORT/DATABASE`.
    public let url: String
    /// The environment that authenticates to it.
    public let environment: [String: String]

    /// Stops the server and starts it again on the same port; returns `Tools/pg-server`'s status.
    @discardableResult
    public func restart() -> Int32 {
      PostgresTestServer.run([Files.repositoryRoot + "/Tools/pg-server", "restart", folder]).status
    }

    /// Stops the server and removes its folder.
    public func destroy() {
      _ = PostgresTestServer.run([Files.repositoryRoot + "/Tools/pg-server", "destroy", folder])
      unlink(folder + ".log")
    }
  }

  /// The folder of the private server this process started, if any.
  nonisolated(unsafe) static var serverFolder: String?

  /// Runs `arguments` with its output going to the new file `log`, or nowhere, and waits for it;
  /// returns the exit status and the log's text.
  ///
  /// Through `posix_spawn` and `waitpid`: the server the script starts stays behind as a daemon,
  /// and Foundation's `Process` never saw such a script end.
  static func run(_ arguments: [String], log: String? = nil) -> (status: Int32, output: String) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if let log {
      posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    } else {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else {
      return (-1, "cannot start \(arguments[0])")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let text = log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    // The exit code (WEXITSTATUS); a signal reads as -1.
    return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1, text)
  }
}

/// The test server could not be started.
public struct PostgresTestServerError: Error, Sendable {
  /// What went wrong.
  public let message: String

  /// An error saying `message`.
  public init(message: String) { self.message = message }
}

import Foundation

/// Runs the async work a blocking call waits for (``PostgresSession/copy(into:columns:data:)``) on a
/// dispatch queue of its own, never on Swift's cooperative thread pool.
///
/// A caller that blocks a cooperative thread (a test, a server's request handler) while the work it
/// waits for needs one of those threads would deadlock once every thread of the pool is blocked so:
/// the pool has one thread per core.
final class BlockingTaskExecutor: TaskExecutor, @unchecked Sendable {
  /// The executor every session uses.
  static let shared = BlockingTaskExecutor()

  private let queue = DispatchQueue(label: "augstore.postgres.blocking", attributes: .concurrent)

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}

import Dispatch

/// Runs the async work a blocking call waits for on a dispatch queue of its own, never on Swift's
/// cooperative thread pool.
///
/// A synchronous caller that waits on a semaphore may itself be one of the pool's few threads (a
/// test, a server handler): work it waits for that needed a pool thread would then never start
/// once every pool thread waits the same way. Jobs given this executor as their preference run on
/// `queue` instead, so the wait always ends.
final class BlockingCallExecutor: TaskExecutor {
  /// The executor every blocking call of the PostgreSQL catalog uses.
  static let shared = BlockingCallExecutor()

  private let queue = DispatchQueue(label: "augstore.postgres.blocking-calls", attributes: .concurrent)

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}

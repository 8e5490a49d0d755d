import Foundation
import Synchronization

/// Runs an indexed loop on several threads.
package enum Parallel {
  /// The number of cores this process may use.
  package static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Calls `body(i)` once for every `i` in `0..<count`, on up to `threads` threads.
  ///
  /// Indexes are handed out in increasing order; `body` must be safe to call concurrently for
  /// different indexes. More threads than cores pays off for work that waits on the disk
  /// (`fsync`), not for work that computes.
  package static func forEach(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = max(1, min(threads, count))
    if threads == 1 {
      for index in 0..<count { body(index) }
      return
    }
    let next = Counter()
    let group = DispatchGroup()
    for _ in 0..<threads {
      group.enter()
      let thread = Thread {
        while true {
          let index = next.value.add(1, ordering: .relaxed).oldValue
          guard index < count else { break }
          body(index)
        }
        group.leave()
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    group.wait()
  }

  private final class Counter: Sendable {
    let value = Atomic<Int>(0)
  }
}

/// A fixed number of result slots that parallel workers fill, one slot per index.
///
/// Invariant: each slot is written by exactly one worker and read only after all workers have
/// finished (`Parallel.forEach` returns), so no two threads ever touch one slot at once. The slots
/// live in one allocation that never moves while workers run.
package final class ResultSlots<Element>: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Element?>

  /// Makes `count` empty slots.
  package init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  /// Slot `index`.
  package subscript(index: Int) -> Element? {
    get { slots[index] }
    set { slots[index] = newValue }
  }

  /// The slots in index order.
  package var values: [Element?] { Array(slots) }
}

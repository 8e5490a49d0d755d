import AugStoreCatalog
import Foundation
import Synchronization

/// Reads a run's blocks across epochs (``Catalog/forEachBlockAcrossEpochs(run:epochs:_:)``) and
/// scans them (``BlockScanner``) on a thread of its own, handing the chunks to one consumer in order.
///
/// At most `depth` scanned chunks wait to be taken, so memory stays bounded. The reading thread
/// ends after it handed over ``Item/end(_:)``: the consumer takes items until then (after
/// ``stop()`` the reader ends at its next group).
final class ScannedBlockReader: Sendable {
  /// What ``next()`` hands over.
  enum Item: Sendable {
    /// The next chunk of samples of the current block of every selected epoch, scanned.
    case blocks(ScannedBlocks)
    /// No more blocks: every block was read, or reading failed with this error, or it was stopped.
    case end((any Error)?)
  }

  private struct Stopped: Error {}

  private let queue = Mutex<(items: [Item], stopped: Bool)>(([], false))
  private let ready = DispatchSemaphore(value: 0)
  private let free: DispatchSemaphore

  /// Starts reading block after block of `epochs` (all recorded) of `run`.
  init(catalog: any CatalogBackend, run: Run, epochs: [Int], transformCount: Int, depth: Int = 4) {
    free = DispatchSemaphore(value: depth)
    let thread = Thread { [self] in
      var failure: (any Error)?
      do {
        try catalog.forEachBlockAcrossEpochs(run: run, epochs: epochs) { blocks in
          var scanner = BlockScanner(blocks, transformCount: transformCount)
          while let chunk = scanner.next() {
            guard put(.blocks(chunk)) else { throw Stopped() }
          }
        }
      } catch is Stopped {
      } catch {
        failure = error
      }
      _ = put(.end(failure))
    }
    thread.start()
  }

  /// Waits for room and hands `item` over; `false` (and nothing handed over) when the consumer
  /// stopped, unless `item` is the end.
  private func put(_ item: Item) -> Bool {
    free.wait()
    let taken = queue.withLock { queue in
      if case .blocks = item, queue.stopped { return false }
      queue.items.append(item)
      return true
    }
    if taken { ready.signal() } else { free.signal() }
    return taken
  }

  /// The next item, once it is ready.
  func next() -> Item {
    ready.wait()
    let item = queue.withLock { $0.items.removeFirst() }
    free.signal()
    return item
  }

  /// Tells the reader to read no more, and waits for it to end.
  func stop() {
    queue.withLock { $0.stopped = true }
    while case .blocks = next() {}
  }
}

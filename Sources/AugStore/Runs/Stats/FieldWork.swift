import Foundation
import Synchronization

/// The numeric values one chunk of records (``ScannedBlocks``) adds to the field accumulators, in
/// the order `StatsPass` counts the records: sample after sample, and for each sample epoch after
/// epoch (entry `e * sampleCount + i` of the chunk for sample `i` of epoch `e`).
///
/// A record's values come from its scan (`group.keys`, `group.values`), unless `StatsPass` decoded
/// the record instead: then they are listed in ``decoded`` with their slots.
struct FieldBatch: Sendable {
  /// The scanned chunk.
  let group: ScannedBlocks
  /// `slots[key]`: the accumulator of a scanned value's key (as `StatsPass.slots` stood after the
  /// chunk: a key's slot never changes once given).
  var slots: [Int]
  /// The records whose values were decoded rather than scanned, in counting order: the record's
  /// entry in the chunk and the range of its values in ``decodedSlots`` and ``decodedValues``.
  var decoded: [(record: Int, values: Range<Int>)] = []
  var decodedSlots: [Int] = []
  var decodedValues: [Double] = []

  init(group: ScannedBlocks, slots: [Int]) {
    self.group = group
    self.slots = slots
  }
}

/// Adds the values of ``FieldBatch``es to the field accumulators, batch after batch in the order
/// they are handed over, on a thread of its own (`threaded`) or on the caller's.
///
/// Every value reaches its accumulator in the order a single thread would add it, so sums (whose
/// rounding depends on the order) are the same either way. At most `depth` batches wait.
///
/// Invariant: ``accumulators`` is touched only by the adding thread until ``finish()`` has waited
/// for it (or, inline, only by the caller).
final class FieldWork: @unchecked Sendable {
  private var accumulators: [FieldAccumulator] = []
  private let threaded: Bool
  private let queue = Mutex<[FieldBatch?]>([])
  private let ready = DispatchSemaphore(value: 0)
  private let free: DispatchSemaphore
  private let done = DispatchSemaphore(value: 0)
  private var finished = false

  /// Starts the adding thread when `threaded`.
  init(threaded: Bool, depth: Int = 8) {
    self.threaded = threaded
    free = DispatchSemaphore(value: depth)
    guard threaded else { return }
    let thread = Thread { [self] in
      while true {
        ready.wait()
        let batch = queue.withLock { $0.removeFirst() }
        free.signal()
        guard let batch else { break }
        add(batch)
      }
      done.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// Adds `batch`'s values (on the adding thread, after the batches handed over before it).
  func submit(_ batch: FieldBatch) {
    guard threaded else {
      add(batch)
      return
    }
    free.wait()
    queue.withLock { $0.append(batch) }
    ready.signal()
  }

  /// Waits until every submitted batch is added and returns the accumulators, by slot (no more
  /// batches may be submitted).
  func finish() -> [FieldAccumulator] {
    if threaded && !finished {
      free.wait()
      queue.withLock { $0.append(nil) }
      ready.signal()
      done.wait()
    }
    finished = true
    return accumulators
  }

  /// Adds one batch's values in counting order.
  private func add(_ batch: FieldBatch) {
    let group = batch.group
    let count = group.sampleCount
    let epochs = group.blocks.count
    var nextDecoded = 0
    let decoded = batch.decoded
    let highestSlot = max(batch.slots.max() ?? -1, batch.decodedSlots.max() ?? -1)
    while accumulators.count <= highestSlot { accumulators.append(FieldAccumulator()) }
    accumulators.withUnsafeMutableBufferPointer { fields in
      batch.slots.withUnsafeBufferPointer { slots in
        group.keys.withUnsafeBufferPointer { keys in
          group.values.withUnsafeBufferPointer { values in
            for index in 0..<count {
              for epoch in 0..<epochs {
                let record = epoch * count + index
                if nextDecoded < decoded.count, decoded[nextDecoded].record == record {
                  for value in decoded[nextDecoded].values {
                    fields[batch.decodedSlots[value]].add(batch.decodedValues[value])
                  }
                  nextDecoded += 1
                  continue
                }
                let start = record == 0 ? 0 : group.records[record - 1].valueEnd
                for value in start..<group.records[record].valueEnd {
                  fields[slots[Int(keys[value])]].add(values[value])
                }
              }
            }
          }
        }
      }
    }
  }
}

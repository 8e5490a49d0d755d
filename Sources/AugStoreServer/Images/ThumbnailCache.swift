import Synchronization

/// Encoded PNG thumbnails in memory, by key, up to a byte budget; the least recently used go first.
/// Nothing is written to the store.
final class ThumbnailCache: Sendable {
  private struct Entry {
    var bytes: [UInt8]
    var used: UInt64
  }

  private struct State {
    var entries: [String: Entry] = [:]
    var bytes = 0
    var clock: UInt64 = 0
  }

  private let state = Mutex(State())
  /// The most bytes kept.
  let capacity: Int

  init(capacity: Int = 64 << 20) {
    self.capacity = capacity
  }

  /// The PNG for `key`, computed by `make` when it is not cached.
  func png(for key: String, make: () throws -> [UInt8]) rethrows -> [UInt8] {
    let hit = state.withLock { state -> [UInt8]? in
      state.clock += 1
      guard var entry = state.entries[key] else { return nil }
      entry.used = state.clock
      state.entries[key] = entry
      return entry.bytes
    }
    if let hit { return hit }
    let bytes = try make()
    state.withLock { state in
      state.clock += 1
      if let old = state.entries.updateValue(Entry(bytes: bytes, used: state.clock), forKey: key) {
        state.bytes -= old.bytes.count
      }
      state.bytes += bytes.count
      guard state.bytes > capacity else { return }
      // Evict the least recently used half of the entries' worth of bytes in one pass.
      let byAge = state.entries.sorted { $0.value.used < $1.value.used }
      for (oldKey, entry) in byAge where state.bytes > capacity / 2 && oldKey != key {
        state.entries[oldKey] = nil
        state.bytes -= entry.bytes.count
      }
    }
    return bytes
  }

  /// How many thumbnails are cached.
  var count: Int { state.withLock { $0.entries.count } }
}

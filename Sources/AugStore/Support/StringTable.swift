/// Many strings held in one buffer: their UTF-8 bytes back to back, and where each one ends.
///
/// An array of a million `String`s of 20 to 64 bytes costs 80 to 150 bytes per string (each longer
/// than 15 bytes is a heap object of its own); here each costs its bytes and 8 more, in two
/// allocations in all. Strings are rebuilt when read.
package struct StringTable: Sendable {
  private var bytes: [UInt8] = []
  /// `ends[i]` is the offset just past string `i` in `bytes`.
  private var ends: [Int] = []

  /// An empty table.
  package init() {}

  /// The number of strings.
  package var count: Int { ends.count }

  /// Appends `string`.
  package mutating func append(_ string: String) {
    bytes.append(contentsOf: string.utf8)
    ends.append(bytes.count)
  }

  /// String `index`.
  package subscript(index: Int) -> String {
    let start = index == 0 ? 0 : ends[index - 1]
    return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
  }
}

import NIOCore

/// Rows in PostgreSQL's text `COPY` format, built straight into a buffer: cells separated by tabs,
/// rows ended by newlines, `\N` for null, backslash, tab, newline and carriage return in text
/// escaped, and bytea as `\\x` followed by lowercase hex.
package struct PostgresCopyText {
  /// The rows so far.
  package private(set) var buffer: ByteBuffer
  private var atRowStart = true

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// An empty set of rows, with room for `capacity` bytes.
  package init(capacity: Int = 1 << 16) {
    buffer = ByteBufferAllocator().buffer(capacity: capacity)
  }

  /// Whether no row has been started.
  package var isEmpty: Bool { buffer.readableBytes == 0 }

  /// Starts the next cell of the current row.
  private mutating func separate() {
    if !atRowStart { buffer.writeInteger(UInt8(ascii: "\t")) }
    atRowStart = false
  }

  /// Appends a null cell.
  package mutating func appendNull() {
    separate()
    buffer.writeStaticString("\\N")
  }

  /// Appends an integer cell.
  package mutating func append(_ value: Int64) {
    separate()
    buffer.writeString(String(value))
  }

  /// Appends a text cell.
  package mutating func append(_ text: String) {
    separate()
    var text = text
    text.withUTF8 { bytes in
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        default: buffer.writeInteger(byte)
        }
      }
    }
  }

  /// Appends a bytea cell.
  package mutating func append<Bytes: Sequence<UInt8>>(bytes: Bytes) where Bytes: Collection {
    separate()
    buffer.writeStaticString("\\\\x")
    let count = bytes.count
    buffer.reserveCapacity(minimumWritableBytes: 2 * count)
    Self.hexDigits.withUnsafeBufferPointer { digits in
      _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 * count) { output in
        var index = 0
        for byte in bytes {
          output[index] = digits[Int(byte >> 4)]
          output[index + 1] = digits[Int(byte & 0x0F)]
          index += 2
        }
        return index
      }
    }
  }

  /// Ends the current row.
  package mutating func endRow() {
    buffer.writeInteger(UInt8(ascii: "\n"))
    atRowStart = true
  }

  /// Takes the rows so far, leaving the value empty.
  package mutating func take() -> ByteBuffer {
    let rows = buffer
    buffer = ByteBufferAllocator().buffer(capacity: rows.capacity)
    atRowStart = true
    return rows
  }
}

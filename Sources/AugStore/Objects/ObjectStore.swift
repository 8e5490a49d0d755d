import Crypto
import Foundation

/// The content-addressed area holding original files: `objects/ab/cdef…`.
///
/// Invariant: a file under its final name holds exactly the bytes whose SHA-256 is its name.
/// Files are written under `tmp/`, flushed to disk, and only then renamed into place, so a crash
/// never leaves a partial object under a final name.
package struct ObjectStore: Sendable {
  /// `<store>/objects`.
  package let root: String
  /// `<store>/tmp`, on the same file system so renames are atomic.
  package let temporary: String

  /// Where the object with this hash lives.
  package func path(of hash: String) -> String {
    "\(root)/\(hash.prefix(2))/\(hash.dropFirst(2))"
  }

  /// Whether the object is stored.
  package func contains(_ hash: String) -> Bool {
    FileIO.kind(path(of: hash)) == .file
  }

  /// Reads an object and checks that its bytes still hash to its name.
  package func read(_ hash: String) throws(StoreError) -> [UInt8] {
    let path = path(of: hash)
    guard contains(hash) else { throw .objectMissing(hash: hash, path: path) }
    let bytes = try FileIO.read(path)
    guard Self.hash(bytes) == hash else { throw .objectCorrupt(hash: hash, path: path) }
    return bytes
  }

  /// Moves already-flushed temporary files into place, then flushes the folders they went to.
  ///
  /// - Parameter files: (temporary path, object hash) pairs; each file must have been fsynced.
  package func install(_ files: [(temporary: String, hash: String)]) throws(StoreError) {
    var folders = Set<String>()
    for (temporary, hash) in files {
      let folder = "\(root)/\(hash.prefix(2))"
      if !folders.contains(folder) {
        try FileIO.makeDirectory(folder)
        folders.insert(folder)
      }
      try FileIO.rename(temporary, to: path(of: hash))
    }
    for folder in folders.sorted() {
      try FileIO.sync(folder)
    }
    if !folders.isEmpty { try FileIO.sync(root) }
  }

  /// Lowercase hex SHA-256 of `bytes`.
  package static func hash(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).hexString
  }
}

extension Sequence<UInt8> {
  /// The bytes as lowercase hexadecimal.
  package var hexString: String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(64)
    for byte in self {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

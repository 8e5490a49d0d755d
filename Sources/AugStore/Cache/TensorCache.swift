import AugStoreImaging
import Crypto
import Foundation

/// The cache of materialized tensors: `.npy` files under `<store>/cache/ab/cdef….npy`.
///
/// A file is named by its **key**, the SHA-256 of everything that determines its bytes (see
/// `key(object:pipelineFingerprint:record:)`), so two records that produce the same tensor share
/// one file. Files appear complete or not at all (see `write(key:bytes:)`), and every read checks the
/// bytes against the digest the catalog holds: a damaged file (a crash, a power loss, a flipped
/// bit) is never served, it is reported and rebuilt.
package struct TensorCache: Sendable {
  /// `<store>/cache`.
  package let root: String
  /// `<store>/tmp`, on the same file system so renames are atomic.
  package let temporary: String

  /// What a read found.
  package enum Lookup: Sendable, Equatable {
    /// The file exists and its bytes match the digest.
    case hit([UInt8])
    /// No file under the key.
    case missing
    /// A file exists but its bytes do not match the digest; it has been removed.
    case damaged
  }

  /// The cache key of a tensor: SHA-256 over a version tag, the original's hash, the pipeline's
  /// fingerprint (which covers the output format), the decoder version when it is not 1 (keys of
  /// runs made before decoder versions are unchanged), the kernel version when the pipeline's pixels
  /// depend on it and it is not 1 (`kernels`: nil for other pipelines, whose runs share tensors across
  /// kernel versions) and the record's binary encoding.
  package static func key(
    object: String, pipelineFingerprint: String, record: [UInt8], decoder: DecoderVersion,
    kernels: KernelVersion? = nil
  ) -> [UInt8] {
    var hasher = SHA256()
    let decoderTag = decoder == .libpngSimplified ? "" : "decoder-\(decoder.rawValue)\u{0}"
    let kernelsTag = kernels.map { $0 == .sequentialGaussianSum ? "" : "kernels-\($0.rawValue)\u{0}" } ?? ""
    hasher.update(
      data: Array(
        "augstore-cache-v1\u{0}\(object)\u{0}\(pipelineFingerprint)\u{0}\(decoderTag)\(kernelsTag)".utf8))
    hasher.update(data: record)
    return Array(hasher.finalize())
  }

  /// The cache key of an original's decoded pixels (the decoded-original tier).
  ///
  /// Every epoch re-reads the same originals, and decoding a PNG costs about as much as the whole
  /// augmentation; the decoded pixels are therefore cached like any tensor (a uint8 `.npy` of shape
  /// (height, width, channels), checked against its ``checksum(_:)`` on every read, counted in `cache stats`,
  /// removed by `cache gc` and `cache clear` like the rest), so epochs after the first skip decoding.
  ///
  /// Pixels decoded by another ``DecoderVersion`` are another entry (version 1 keeps its old key).
  /// Only PNGs enter the tier (see `Renderer.original`), and they are always decoded in full, so a
  /// pipeline's JPEG DCT scaling does not enter the key.
  package static func decodedKey(object: String, decoder: DecoderVersion) -> [UInt8] {
    let tag =
      decoder == .libpngSimplified ? "augstore-decoded-v1" : "augstore-decoded-v1-decoder-\(decoder.rawValue)"
    return Array(SHA256.hash(data: Array("\(tag)\u{0}\(object)".utf8)))
  }

  /// SHA-256 of a tensor file's bytes: the digest recorded with each record.
  package static func digest(_ bytes: [UInt8]) -> [UInt8] {
    Array(SHA256.hash(data: bytes))
  }

  /// The 8-byte checksum (XXH64, big-endian) indexed for a decoded-original file.
  ///
  /// Those files never leave the store and are read back in full on every epoch, where SHA-256 cost
  /// as much as a third of the augmentation itself; see ``XXH64``.
  package static func checksum(_ bytes: [UInt8]) -> [UInt8] {
    withUnsafeBytes(of: XXH64.hash(bytes).bigEndian) { Array($0) }
  }

  /// Whether `bytes` match an indexed digest: an 8-byte ``checksum(_:)`` or a 32-byte ``digest(_:)``.
  package static func matches(_ bytes: [UInt8], _ digest: [UInt8]) -> Bool {
    digest.count == 8 ? checksum(bytes) == digest : Self.digest(bytes) == digest
  }

  /// The key a cache file name spells (64 lowercase hex digits: folder and file name), or `nil`.
  package static func key(hex: String) -> Data? {
    let digits = Array(hex.utf8)
    guard digits.count == 64 else { return nil }
    func value(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      default: nil
      }
    }
    var key = Data(capacity: 32)
    for index in stride(from: 0, to: 64, by: 2) {
      guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
      key.append(high << 4 | low)
    }
    return key
  }

  /// Where the file for `key` lives.
  package func path(of key: [UInt8]) -> String {
    let hex = key.hexString
    return "\(root)/\(hex.prefix(2))/\(hex.dropFirst(2)).npy"
  }

  /// Reads the file for `key` and checks it against `digest` (see ``matches(_:_:)``); a damaged file
  /// is removed unless `keepDamaged` (a read-only store).
  package func read(key: [UInt8], digest: [UInt8], keepDamaged: Bool = false) -> Lookup {
    let path = path(of: key)
    guard FileIO.kind(path) == .file, let bytes = try? FileIO.read(path) else { return .missing }
    guard Self.matches(bytes, digest) else {
      if !keepDamaged { FileIO.remove(path) }
      return .damaged
    }
    return .hit(bytes)
  }

  /// Writes `bytes` as the file for `key`, complete or not at all: as an unnamed file linked into
  /// place where the platform allows (``FileIO/publishNew(_:_:mode:)``), otherwise under a temporary
  /// name in `tmp/` renamed into place (which also replaces an existing file).
  ///
  /// No fsync: a file damaged by a power loss fails its digest check on the next read and is
  /// rebuilt, so the cache never pays for durability it does not need.
  package func write(key: [UInt8], bytes: [UInt8]) throws(StoreError) {
    let path = path(of: key)
    // Read-only: replay hands these files out as hard links, which must not be edited in place.
    if try FileIO.publishNew(path, bytes, mode: 0o444) { return }
    let folder = (path as NSString).deletingLastPathComponent
    if FileIO.kind(folder) != .directory {
      try FileIO.makeDirectory(folder)
      if try FileIO.publishNew(path, bytes, mode: 0o444) { return }
    }
    let staged =
      "\(temporary)/cache-\(FileIO.processTag)-\(Thread.current.hash)-\(key.hexString.prefix(16)).npy"
    try FileIO.writeNew(staged, bytes, sync: false, mode: 0o444)
    do {
      try FileIO.rename(staged, to: path)
    } catch {
      FileIO.remove(staged)
      throw error
    }
  }

  /// Deletes the file for `key`, if any.
  package func remove(key: [UInt8]) {
    FileIO.remove(path(of: key))
  }
}

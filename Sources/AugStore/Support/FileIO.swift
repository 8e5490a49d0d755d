import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// File helpers whose errors name the file: writes go through a temporary name and a rename.
public enum FileIO {
  /// Reads a whole regular file.
  package static func read(_ path: String) throws(StoreError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, message: lastError()) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .io(path: path, message: lastError()) }
    let size = Int(info.st_size)
    var failure: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      var offset = 0
      while offset < size, let base = buffer.baseAddress {
        let n = Glibc.read(fd, base + offset, size - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = lastError()
          break
        }
        if n == 0 { break }
        offset += n
      }
      initialized = offset
    }
    if let failure { throw .io(path: path, message: failure) }
    guard bytes.count == size else { throw .io(path: path, message: "file changed while being read") }
    return bytes
  }

  /// Writes all of `bytes` to `fd`, retrying short and interrupted writes; the error text, if any.
  private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < bytes.count, let base = bytes.baseAddress {
      let n = Glibc.write(fd, base + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return lastError()
      }
      offset += n
    }
    return nil
  }

  /// Creates `path` (which must not exist) with `mode` and writes `bytes`; `sync` also fsyncs it.
  package static func writeNew(
    _ path: String, _ bytes: UnsafeRawBufferPointer, sync: Bool, mode: mode_t = 0o644
  )
    throws(StoreError)
  {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else { throw .io(path: path, message: lastError()) }
    var failure = writeAll(fd, bytes)
    if failure == nil, sync, fsync(fd) != 0 { failure = lastError() }
    if close(fd) != 0, failure == nil { failure = lastError() }
    if let failure {
      unlink(path)
      throw .io(path: path, message: failure)
    }
  }

  /// Creates `path` (which must not exist) and writes `bytes`; `sync` also fsyncs it.
  package static func writeNew(
    _ path: String, _ bytes: [UInt8], sync: Bool, mode: mode_t = 0o644
  )
    throws(StoreError)
  {
    let failure = bytes.withUnsafeBytes { buffer -> StoreError? in
      do throws(StoreError) {
        try writeNew(path, buffer, sync: sync, mode: mode)
        return nil
      } catch {
        return error
      }
    }
    if let failure { throw failure }
  }

  /// Creates `path` (which must not exist) with `mode`, complete or not at all, without a temporary
  /// name: the bytes go into an unnamed file in `path`'s folder (`O_TMPFILE`), which is then linked
  /// in. Nothing is left behind if the process dies half-way, and no other folder is locked (a rename
  /// from a shared staging folder serializes concurrent writers on that folder).
  ///
  /// Returns `false`, having changed nothing, where this cannot be done: a platform or file system
  /// without unnamed files, a missing folder, or `path` already taken. Callers then write through a
  /// temporary name and a rename (``writeNew(_:_:sync:mode:)`` and ``rename(_:to:)``).
  package static func publishNew(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(StoreError) -> Bool {
    #if os(Linux)
      let folder = (path as NSString).deletingLastPathComponent
      // O_TMPFILE is `__O_TMPFILE | O_DIRECTORY`; the macro does not import.
      let unnamed: Int32 = 0o2000_0000 | O_DIRECTORY
      let fd = open(folder, unnamed | O_WRONLY | O_CLOEXEC, mode)
      guard fd >= 0 else { return false }
      defer { close(fd) }
      if let failure = bytes.withUnsafeBytes({ writeAll(fd, $0) }) { throw .io(path: path, message: failure) }
      if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return true }
      if errno == EEXIST || errno == ENOENT || errno == EPERM || errno == EXDEV { return false }
      throw .io(path: path, message: lastError())
    #else
      return false
    #endif
  }

  /// `HOST-PID`: names temporary files so that processes on different hosts sharing one store folder
  /// (a network file system) never pick the same name.
  package static let processTag: String = {
    var name = [CChar](repeating: 0, count: 256)
    let host =
      gethostname(&name, name.count - 1) == 0
      ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
    let safe = host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
    return "\(String(safe.prefix(64)))-\(getpid())"
  }()

  /// Writes `bytes` to `path` through a temporary file and a rename, replacing any file there.
  public static func write(_ bytes: [UInt8], to path: String) throws(StoreError) {
    let temporary = path + ".augstore-partial-\(processTag)"
    remove(temporary)
    try writeNew(temporary, bytes, sync: false)
    do {
      try rename(temporary, to: path)
    } catch {
      remove(temporary)
      throw error
    }
  }

  /// Makes `link` a second name of the file at `path` (a hard link); `false` when the file system
  /// cannot (another device, no hard links) or `path` is gone.
  package static func hardLink(_ path: String, as link: String) -> Bool {
    Glibc.link(path, link) == 0
  }

  /// Flushes a file (or folder) to disk.
  package static func sync(_ path: String) throws(StoreError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, message: lastError()) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw .io(path: path, message: lastError()) }
  }

  /// Renames atomically, replacing `destination` if it exists.
  package static func rename(_ source: String, to destination: String) throws(StoreError) {
    guard Glibc.rename(source, destination) == 0 else {
      throw .io(path: destination, message: lastError())
    }
  }

  /// Creates a folder and its parents; an existing folder is fine.
  package static func makeDirectory(_ path: String) throws(StoreError) {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw .io(path: path, message: "cannot create folder: \(error.localizedDescription)")
    }
  }

  /// What is at `path`, without following a final symbolic link.
  package static func kind(_ path: String) -> FileKind {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .symbolicLink
    default: return .other
    }
  }

  /// Removes a file or a folder tree; a missing path is fine.
  package static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// The text of the current `errno`.
  package static func lastError() -> String {
    String(cString: strerror(errno))
  }
}

/// The kinds of directory entry augstore distinguishes.
package enum FileKind: Sendable, Equatable {
  case missing, file, directory, symbolicLink, other
}

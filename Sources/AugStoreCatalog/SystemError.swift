import GRDB
import GRDBSQLite

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The operating system's error behind a failed SQLite call.
///
/// SQLite reports a refused `write(2)` as "disk I/O error" (`SQLITE_IOERR`) and a full file system as
/// "database or disk is full" (`SQLITE_FULL`). It keeps the `errno` behind an I/O error per
/// connection (`sqlite3_system_errno`), but not when the write that failed was the commit's; the
/// thread's `errno`, read as soon as the error reaches augstore, still holds it then.
enum SystemError {
  /// The `errno` values a refused catalog read or write can leave behind.
  static let storageErrors: Set<Int32> = [EFBIG, ENOSPC, EDQUOT, EIO, EROFS]

  /// `strerror` of the system error behind `error` ("No space left on device", "File too large"), or
  /// `nil` when SQLite did not fail because of a system call.
  ///
  /// - Parameters:
  ///   - connection: the connection that failed, when known.
  ///   - threadErrno: `errno` read on the failing thread right after the error.
  static func describe(_ error: DatabaseError, connection: OpaquePointer?, threadErrno: Int32) -> String? {
    let fromThread = storageErrors.contains(threadErrno) ? threadErrno : 0
    let code: Int32
    switch error.resultCode {
    case .SQLITE_IOERR, .SQLITE_CANTOPEN:
      let kept = connection.map { sqlite3_system_errno($0) } ?? 0
      code = kept != 0 ? kept : fromThread
    case .SQLITE_FULL:
      // The unix VFS returns SQLITE_FULL for ENOSPC (and for a write that wrote nothing).
      code = fromThread != 0 && fromThread != EIO ? fromThread : ENOSPC
    default:
      return nil
    }
    guard code != 0, let text = strerror(code) else { return nil }
    return String(cString: text)
  }
}

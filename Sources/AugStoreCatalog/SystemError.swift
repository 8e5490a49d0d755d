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
/// "database or disk is full" (`SQLITE_FULL`); the `errno` that caused it is kept per connection
/// (`sqlite3_system_errno`) for I/O errors and failed opens. A full file system is `ENOSPC`.
enum SystemError {
  /// `strerror` of the system error behind `error` ("No space left on device", "File too large"), or
  /// `nil` when SQLite did not fail because of a system call.
  static func describe(_ error: DatabaseError, connection: OpaquePointer?) -> String? {
    let code: Int32
    switch error.resultCode {
    case .SQLITE_IOERR, .SQLITE_CANTOPEN:
      guard let connection else { return nil }
      code = sqlite3_system_errno(connection)
    case .SQLITE_FULL:
      // The unix VFS returns SQLITE_FULL for ENOSPC (and for a write that wrote nothing).
      code = ENOSPC
    default:
      return nil
    }
    guard code != 0, let text = strerror(code) else { return nil }
    return String(cString: text)
  }
}

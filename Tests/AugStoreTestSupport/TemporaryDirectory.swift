import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
  /// The folder's path.
  public let path: String

  /// Creates an empty folder whose name starts with `prefix`.
  public init(_ prefix: String = "augstore-test") throws {
    let base = FileManager.default.temporaryDirectory.path
    path = "\(base)/\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// `path/relative`.
  public func appending(_ relative: String) -> String {
    path + "/" + relative
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// Reading and listing files in tests.
public enum Files {
  /// The bytes of a file.
  public static func read(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Writes `bytes` to `path`, creating parent folders.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Every regular file under `root`, as sorted relative paths.
  public static func list(_ root: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let relative = walker.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        files.append(relative)
      }
    }
    return files.sorted()
  }

  /// The repository's root folder (found from this source file's path).
  public static var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  /// The hostile PNG files of the imaging fixtures: `Tests/AugStoreImagingTests/Fixtures/bad`.
  public static var badPNGFolder: String {
    repositoryRoot + "/Tests/AugStoreImagingTests/Fixtures/bad"
  }
}

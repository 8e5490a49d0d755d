import Foundation

/// Locates the committed fixtures next to this source file (Tests/AugStoreImagingTests/Fixtures).
enum Fixtures {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures", isDirectory: true)

  /// File names (without directory) in `Fixtures/<folder>` with the given extension, sorted.
  static func names(in folder: String, ext: String) -> [String] {
    let dir = root.appendingPathComponent(folder, isDirectory: true)
    let all = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return all.filter { $0.hasSuffix("." + ext) }.sorted()
  }

  /// The bytes of `Fixtures/<folder>/<name>`.
  static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
    let url = root.appendingPathComponent(folder, isDirectory: true).appendingPathComponent(name)
    return [UInt8](try Data(contentsOf: url))
  }
}

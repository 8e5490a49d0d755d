import Foundation

/// How `dataset add` assigns labels.
public enum LabelMode: String, Sendable, CaseIterable, Codable {
  /// The first folder under the source folder is the label.
  case folders
  /// Samples have no label.
  case none
  /// Labels come from a CSV file with `path` and `label` columns (``DatasetAddOptions/labelsFile``).
  case file
}

/// An image file (`.png`, `.jpg` or `.jpeg`) found under a source folder.
package struct SourceFile: Sendable, Equatable {
  /// `/`-separated path relative to the source folder.
  package var relativePath: String
  /// Path to read the file from.
  package var absolutePath: String
}

/// Walks a source folder the way `dataset add` registers it.
///
/// The walk is deterministic: entries are sorted by the UTF-8 bytes of their relative paths,
/// symbolic links are not followed, and hidden entries (names starting with `.`) are skipped.
package enum SourceFolder {
  /// The extensions `dataset add` picks up, lowercased and without the dot.
  package static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Whether a file name ends in `.png`, `.jpg` or `.jpeg`, in any letter case.
  package static func isImageName(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
    return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
  }

  /// The `.png`, `.jpg` and `.jpeg` files under `root` (any letter case of the extension), sorted,
  /// and how many other regular files were passed over.
  package static func scan(_ root: String) throws(StoreError) -> (files: [SourceFile], ignored: Int) {
    guard FileIO.kind(root) == .directory else { throw .sourceNotFound(path: root) }
    var files: [SourceFile] = []
    var ignored = 0
    var pending = [""]
    while let relative = pending.popLast() {
      let folder = relative.isEmpty ? root : root + "/" + relative
      let names: [String]
      do {
        names = try FileManager.default.contentsOfDirectory(atPath: folder)
      } catch {
        throw .io(path: folder, message: "cannot list folder: \(error.localizedDescription)")
      }
      for name in names where !name.hasPrefix(".") {
        let child = relative.isEmpty ? name : relative + "/" + name
        let absolute = root + "/" + child
        switch FileIO.kind(absolute) {
        case .directory:
          pending.append(child)
        case .file where isImageName(name):
          files.append(SourceFile(relativePath: child, absolutePath: absolute))
        case .file:
          ignored += 1
        default:
          break
        }
      }
    }
    files.sort { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
    return (files, ignored)
  }

  /// `.folders` when `root` has a visible sub-folder, otherwise `.none`.
  package static func inferredLabelMode(_ root: String) -> LabelMode {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    let hasFolder = names.contains { !$0.hasPrefix(".") && FileIO.kind(root + "/" + $0) == .directory }
    return hasFolder ? .folders : .none
  }

  /// The label of a file under `mode`: its first folder, or `nil`.
  package static func label(of relativePath: String, mode: LabelMode) -> String? {
    guard mode == .folders else { return nil }
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true)
    return parts.count > 1 ? String(parts[0]) : nil
  }
}

import AugStoreImaging
import Foundation

/// A small built-in image dataset, drawn in code: no download, the same bytes everywhere.
///
/// Three classes of 32×32 RGB pictures (discs, squares, stripes) in varied colours and
/// positions, so that augmentations have something visible to move.
public enum DemoDataset {
  /// The class names, which are also the folder names.
  public static let classes = ["discs", "squares", "stripes"]

  /// Writes `perClass` PNGs per class under `folder/<class>/`.
  ///
  /// - Parameter variant: 0 for the first version; other values redraw image 0 of each class and
  ///   add one more image, so a second add makes a new version.
  /// - Returns: the relative paths written.
  @discardableResult
  public static func write(to folder: String, perClass: Int = 8, variant: Int = 0) throws -> [String] {
    var paths: [String] = []
    for (classIndex, name) in classes.enumerated() {
      try FileIO.makeDirectory(folder + "/" + name)
      let count = perClass + (variant == 0 ? 0 : 1)
      for item in 0..<count {
        let seed = item == 0 ? item + variant * 97 : item
        let tensor = picture(classIndex: classIndex, seed: seed)
        let relative = "\(name)/\(name)-\(item).png"
        let target = folder + "/" + relative
        FileIO.remove(target)
        try FileIO.writeNew(target, try PNGEncoder.encode(tensor), sync: false)
        paths.append(relative)
      }
    }
    return paths
  }

  /// One picture: a shape of class `classIndex`, its colour and place set by `seed`.
  static func picture(classIndex: Int, seed: Int, size: Int = 32) -> Tensor {
    var tensor = Tensor(height: size, width: size, channels: 3)
    let hue = Double((seed * 47 + classIndex * 31) % 360)
    let colour = rgb(hue: hue)
    let background = rgb(hue: (hue + 180).truncatingRemainder(dividingBy: 360)).map { $0 / 4 + 20 }
    let cx = 10 + (seed * 5) % 12
    let cy = 10 + (seed * 3) % 12
    for y in 0..<size {
      for x in 0..<size {
        let inside: Bool
        switch classIndex {
        case 0: inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= 49
        case 1: inside = abs(x - cx) <= 6 && abs(y - cy) <= 6
        default: inside = ((x + y + seed) / 4) % 2 == 0
        }
        // A soft vertical gradient keeps the background from being flat.
        let shade = UInt8(y * 2)
        for c in 0..<3 {
          tensor.pixels[(y * size + x) * 3 + c] = inside ? colour[c] : background[c] &+ shade
        }
      }
    }
    return tensor
  }

  private static func rgb(hue: Double) -> [UInt8] {
    let sector = Int(hue / 60) % 6
    let fraction = hue / 60 - Double(Int(hue / 60))
    let rising = UInt8(55 + 200 * fraction)
    let falling = UInt8(255 - 200 * fraction)
    switch sector {
    case 0: return [255, rising, 55]
    case 1: return [falling, 255, 55]
    case 2: return [55, 255, rising]
    case 3: return [55, falling, 255]
    case 4: return [rising, 55, 255]
    default: return [255, 55, falling]
    }
  }
}

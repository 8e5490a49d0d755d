import AugStoreImaging

/// Lays out images side by side, each under a short caption, as one RGB picture.
///
/// Used by `preview` to show an original beside what the model saw in each epoch. Images are
/// scaled by a whole factor (nearest neighbour, so pixels stay visible) to reach at least
/// `minimumCell` pixels; grey and alpha images are shown as RGB on a dark background.
package enum PreviewGrid {
  /// One captioned image.
  package struct Cell {
    package var caption: String
    package var image: Tensor
  }

  /// Renders `cells` in one row.
  package static func render(_ cells: [Cell], minimumCell: Int = 96) -> Tensor {
    let largest = cells.map { max($0.image.height, $0.image.width) }.max() ?? 1
    let scale = max(1, (minimumCell + largest - 1) / largest)
    let cellHeight = (cells.map(\.image.height).max() ?? 1) * scale
    let cellWidth = max((cells.map(\.image.width).max() ?? 1) * scale, 8 * 4)
    let margin = 6
    let captionHeight = BitmapFont.height * 2 + 6
    let height = margin * 2 + captionHeight + cellHeight
    let width = margin + cells.count * (cellWidth + margin)
    var canvas = Tensor(height: height, width: width, channels: 3, repeating: 32)
    for (index, cell) in cells.enumerated() {
      let left = margin + index * (cellWidth + margin)
      BitmapFont.draw(cell.caption, on: &canvas, x: left, y: margin, scale: 2)
      blit(cell.image, scale: scale, on: &canvas, x: left, y: margin + captionHeight)
    }
    return canvas
  }

  private static func blit(_ image: Tensor, scale: Int, on canvas: inout Tensor, x left: Int, y top: Int) {
    let channels = image.channels
    for y in 0..<(image.height * scale) {
      for x in 0..<(image.width * scale) {
        let source = ((y / scale) * image.width + x / scale) * channels
        let target = ((top + y) * canvas.width + left + x) * 3
        guard top + y < canvas.height, left + x < canvas.width else { continue }
        var rgb: (UInt8, UInt8, UInt8)
        switch channels {
        case 1, 2: rgb = (image.pixels[source], image.pixels[source], image.pixels[source])
        default: rgb = (image.pixels[source], image.pixels[source + 1], image.pixels[source + 2])
        }
        if channels == 2 || channels == 4 {
          let alpha = Int(image.pixels[source + channels - 1])
          let blend = { (value: UInt8) in UInt8((Int(value) * alpha + 32 * (255 - alpha) + 127) / 255) }
          rgb = (blend(rgb.0), blend(rgb.1), blend(rgb.2))
        }
        canvas.pixels[target] = rgb.0
        canvas.pixels[target + 1] = rgb.1
        canvas.pixels[target + 2] = rgb.2
      }
    }
  }
}

/// A 3×5 pixel font for captions: digits, lower-case letters and a little punctuation.
package enum BitmapFont {
  /// Glyph height in font pixels.
  package static let height = 5

  // Each glyph is 5 rows of 3 bits, most significant bit on the left.
  private static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 2, 2],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], "a": [2, 5, 7, 5, 5], "b": [6, 5, 6, 5, 6],
    "c": [7, 4, 4, 4, 7], "d": [6, 5, 5, 5, 6], "e": [7, 4, 6, 4, 7], "f": [7, 4, 6, 4, 4],
    "g": [7, 4, 5, 5, 7], "h": [5, 5, 7, 5, 5], "i": [7, 2, 2, 2, 7], "j": [1, 1, 1, 5, 7],
    "k": [5, 5, 6, 5, 5], "l": [4, 4, 4, 4, 7], "m": [5, 7, 7, 5, 5], "n": [6, 5, 5, 5, 5],
    "o": [7, 5, 5, 5, 7], "p": [7, 5, 7, 4, 4], "q": [7, 5, 5, 7, 1], "r": [6, 5, 6, 5, 5],
    "s": [7, 4, 7, 1, 7], "t": [7, 2, 2, 2, 2], "u": [5, 5, 5, 5, 7], "v": [5, 5, 5, 5, 2],
    "w": [5, 5, 7, 7, 5], "x": [5, 5, 2, 5, 5], "y": [5, 5, 2, 2, 2], "z": [7, 1, 2, 4, 7],
    "-": [0, 0, 7, 0, 0], ".": [0, 0, 0, 0, 2], ":": [0, 2, 0, 2, 0], " ": [0, 0, 0, 0, 0],
    "*": [0, 5, 2, 5, 0],
  ]

  /// Draws `text` in white at (`x`, `y`), each font pixel `scale`×`scale`; unknown characters
  /// are skipped, and text past the canvas edge is clipped.
  package static func draw(_ text: String, on canvas: inout Tensor, x: Int, y: Int, scale: Int) {
    var cursor = x
    for character in text.lowercased() {
      guard let rows = glyphs[character] else { continue }
      for (row, bits) in rows.enumerated() {
        for column in 0..<3 where bits & (4 >> column) != 0 {
          for dy in 0..<scale {
            for dx in 0..<scale {
              let px = cursor + column * scale + dx
              let py = y + row * scale + dy
              guard px < canvas.width, py < canvas.height else { continue }
              let index = (py * canvas.width + px) * canvas.channels
              for c in 0..<canvas.channels { canvas.pixels[index + c] = 255 }
            }
          }
        }
      }
      cursor += 4 * scale
    }
  }
}

import Foundation

/// Inline SVG bar charts (no script, no network).
enum Charts {
  /// A bar chart of `bars` (label under each bar, value above it), `title` at the top.
  static func bars(
    _ bars: [(label: String, value: Double)], title: String, width: Int = 360, height: Int = 160,
    alternate: Bool = false, maximum: Double? = nil
  ) -> String {
    let top = 30
    let bottom = 20
    let plot = height - top - bottom
    let high = max(maximum ?? bars.map(\.value).max() ?? 1, 1e-12)
    let step = bars.isEmpty ? 0 : Double(width - 20) / Double(bars.count)
    var svg =
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
      + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
    svg += "<text x=\"8\" y=\"14\">\(HTML.escape(title))</text>"
    for (index, bar) in bars.enumerated() {
      let barHeight = max(0, Double(plot) * bar.value / high)
      let x = 10 + Double(index) * step
      let y = Double(top + plot) - barHeight
      svg += "<rect class=\"bar\(alternate ? " alt" : "")\" x=\"\(format(x + 1))\" y=\"\(format(y))\" "
      svg += "width=\"\(format(max(1, step - 2)))\" height=\"\(format(barHeight))\">"
      svg += "<title>\(HTML.escape(bar.label)): \(HTML.escape(number(bar.value)))</title></rect>"
      if bars.count <= 16 {
        svg += "<text x=\"\(format(x + step / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">"
        svg += "\(HTML.escape(bar.label))</text>"
        svg += "<text x=\"\(format(x + step / 2))\" y=\"\(format(y - 2))\" text-anchor=\"middle\">"
        svg += "\(HTML.escape(number(bar.value)))</text>"
      }
    }
    return svg + "</svg>"
  }

  /// A number with at most four significant digits.
  static func number(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
    var text = String(format: "%.4g", value)
    if text.contains("e") { return text }
    while text.contains("."), text.hasSuffix("0") { text.removeLast() }
    return text
  }

  private static func format(_ value: Double) -> String {
    String(format: "%.1f", value)
  }
}

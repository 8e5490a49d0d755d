/// One numeric parameter's count, sum, range and ten-bin histogram over its final range.
///
/// The first ``bufferLimit`` values are kept. Then nine narrow windows are placed around the bin
/// edges that range gives: values between two windows are counted per gap, values inside a window
/// are kept. At the end, when the final range puts every edge inside its window, the gaps' counts
/// are exact bins and only the kept values are binned; otherwise ``finish()`` asks for a second
/// pass.
struct FieldAccumulator {
  static let binCount = 10
  static let bufferLimit = 1 << 18
  /// Each window's half width, as a fraction of the range the windows are placed for.
  static let windowFraction = 1.0 / 2048
  var count = 0
  var sum = 0.0
  var min = Double.infinity
  var max = -Double.infinity
  var bins = [Int](repeating: 0, count: binCount)
  /// Values not yet binned: the first ones, then those inside a window.
  var kept: [Double] = []
  /// `[lower, upper]` of window `j` (around the edge between bins `j` and `j + 1`), once placed.
  var windows: [(lower: Double, upper: Double)] = []
  /// How many windows are placed (0, or `binCount - 1`), and their lower and upper edges (in the
  /// first lanes; fixed-size storage keeps ``add(_:)`` free of array accesses).
  var windowCount = 0
  var windowLowers = SIMD16<Double>()
  var windowUppers = SIMD16<Double>()
  /// Where ``place(_:)`` starts looking: window `Int((value - guessOrigin) * guessScale)` (when
  /// `guessScale > 0`).
  var guessOrigin = 0.0
  var guessScale = 0.0
  /// Values in the gap before window `j` (the last: after the last window).
  var gaps = [Int](repeating: 0, count: binCount)
  /// A value arrived while the range was one point and no windows could be placed.
  var unplaced = false

  mutating func add(_ value: Double) {
    count += 1
    sum += value
    min = Swift.min(min, value)
    max = Swift.max(max, value)
    if windowCount == 0 {
      guard !unplaced else { return }
      kept.append(value)
      if kept.count >= Self.bufferLimit { placeWindows() }
    } else {
      place(value)
    }
  }

  /// Counts `value` in its gap, or keeps it when it is inside a window.
  ///
  /// Its gap is the first `j` whose window's upper edge is not below it (the last gap when there is
  /// none); the search starts at the bin `value` falls in when the windows were placed.
  private mutating func place(_ value: Double) {
    var gap = 0
    if guessScale > 0 {
      let guess = (value - guessOrigin) * guessScale
      if guess >= Double(windowCount) {
        gap = windowCount
      } else if guess > 0 {
        gap = Int(guess)
      }
      while gap > 0, !(value > windowUppers[gap - 1]) { gap -= 1 }
    }
    while gap < windowCount, value > windowUppers[gap] { gap += 1 }
    if gap < windowCount, value >= windowLowers[gap] {
      kept.append(value)
    } else {
      gaps[gap] += 1
    }
  }

  /// Places the windows around the bin edges of the range seen so far, and sorts the kept values
  /// into gaps and windows.
  private mutating func placeWindows() {
    guard max > min else {
      unplaced = true
      kept = []
      return
    }
    let width = (max - min) / Double(Self.binCount)
    let half = (max - min) * Self.windowFraction
    windows = (1..<Self.binCount).map { edge in
      let at = min + Double(edge) * width
      return (at - half, at + half)
    }
    windowCount = windows.count
    for (index, window) in windows.enumerated() {
      windowLowers[index] = window.lower
      windowUppers[index] = window.upper
    }
    // The starting guess needs finite windows in increasing order (else the search starts at 0).
    let uppers = windows.map(\.upper)
    let ordered = uppers.allSatisfy(\.isFinite) && zip(uppers, uppers.dropFirst()).allSatisfy { $0 < $1 }
    if ordered, width.isFinite, width > 0 {
      guessOrigin = min
      guessScale = 1 / width
    }
    let values = kept
    kept = []
    for value in values { place(value) }
  }

  /// The bin of `value` in the final range.
  func binIndex(_ value: Double) -> Int {
    guard max > min else { return 0 }
    let index = Int((value - min) / (max - min) * Double(Self.binCount))
    return Swift.min(Swift.max(index, 0), Self.binCount - 1)
  }

  /// Fills ``bins`` from what was gathered; `false` when the records must be binned again with
  /// ``bin(_:)`` (after ``bins`` were reset).
  mutating func finish() -> Bool {
    if unplaced {
      bins = [Int](repeating: 0, count: Self.binCount)
      // Every value so far was the same: one bin when nothing else came.
      guard max > min else {
        bins[0] = count
        return true
      }
      return false
    }
    if !windows.isEmpty {
      // Every value of gap j must fall in bin j: each window must hold its edge.
      for (edge, window) in windows.enumerated()
      where binIndex(window.lower) > edge || binIndex(window.upper) < edge + 1 {
        bins = [Int](repeating: 0, count: Self.binCount)
        return false
      }
      bins = gaps
    }
    for value in kept { bins[binIndex(value)] += 1 }
    kept = []
    return true
  }

  /// Counts `value` in its bin (second pass).
  mutating func bin(_ value: Double) {
    bins[binIndex(value)] += 1
  }

  func stats(name: String) -> ParameterStats {
    let histogram: [HistogramBin]
    if max > min {
      let width = (max - min) / Double(Self.binCount)
      histogram = bins.enumerated().map { index, count in
        HistogramBin(
          lower: min + Double(index) * width,
          upper: index == Self.binCount - 1 ? max : min + Double(index + 1) * width,
          count: count)
      }
    } else {
      histogram = [HistogramBin(lower: min, upper: max, count: bins[0])]
    }
    return ParameterStats(
      name: name, count: count, min: min, max: max, mean: count > 0 ? sum / Double(count) : 0,
      histogram: histogram)
  }
}

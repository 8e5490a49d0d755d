import AugStoreTransforms
import Testing

@testable import AugStore

/// The one-pass histogram of `stats` bins exactly as binning every value over the final range does.
@Suite struct StatsHistogramTests {
  /// The bins of `values` over their own [min, max], ten equal-width bins (the definition).
  static func reference(_ values: [Double]) -> [Int] {
    guard let low = values.min(), let high = values.max() else { return [] }
    var bins = [Int](repeating: 0, count: 10)
    for value in values {
      guard high > low else {
        bins[0] += 1
        continue
      }
      bins[min(max(Int((value - low) / (high - low) * 10), 0), 9)] += 1
    }
    return bins
  }

  /// Feeds `values` to an accumulator; when it asks for a second pass, feeds them again to `bin`.
  static func histogram(_ values: [Double]) -> (bins: [Int], secondPass: Bool) {
    var accumulator = FieldAccumulator()
    for value in values { accumulator.add(value) }
    if accumulator.finish() { return (accumulator.bins, false) }
    for value in values { accumulator.bin(value) }
    return (accumulator.bins, true)
  }

  /// `count` values from Philox, uniform in `range`, as Float (like drawn parameters).
  static func draws(_ count: Int, _ range: ClosedRange<Double>, key: UInt64) -> [Double] {
    (0..<count).map { index in
      let word = Philox4x64.block(key: SIMD2(key, 7), counter: SIMD4(UInt64(index), 0, 0, 0))[0]
      let unit = Double(word >> 11) / Double(1 << 53)
      return Double(Float(range.lowerBound + unit * (range.upperBound - range.lowerBound)))
    }
  }

  @Test(arguments: [1_000, 300_000, 700_000])
  func uniformDrawsNeedOnePass(count: Int) {
    let values = Self.draws(count, -18...18, key: UInt64(count))
    let (bins, secondPass) = Self.histogram(values)
    #expect(bins == Self.reference(values))
    #expect(bins.reduce(0, +) == count)
    #expect(!secondPass)
  }

  @Test func integersOnTheBinEdgesNeedOnePass() {
    let values = (0..<400_000).map { Double($0 % 25) }
    let (bins, secondPass) = Self.histogram(values)
    #expect(bins == Self.reference(values) && !secondPass)
  }

  @Test func aRangeThatWidensLateTakesASecondPass() {
    let values = Self.draws(300_000, 0...1, key: 1) + Self.draws(50_000, 0...10, key: 2)
    let (bins, secondPass) = Self.histogram(values)
    #expect(secondPass)
    #expect(bins == Self.reference(values))
  }

  @Test func aConstantThatChangesLateTakesASecondPass() {
    let values = [Double](repeating: 1.5, count: 300_000) + [2.5, 0.5]
    let (bins, secondPass) = Self.histogram(values)
    #expect(secondPass && bins == Self.reference(values))
    let constant = [Double](repeating: 1.5, count: 300_000)
    let (one, again) = Self.histogram(constant)
    #expect(!again && one == Self.reference(constant))
  }

  @Test(arguments: [
    TransformParams.none, .flip(flips: true), .rotation(angle: -3.5), .zoom(heightZoom: 1.1, widthZoom: 0.9),
    .translation(translateX: 2, translateY: -1), .crop(x: 3, y: 4), .brightness(rgbDelta: 0.2),
    .contrast(contrastFactor: 1.3), .saturation(saturationFactor: 0.7), .hue(hueFactor: 0.1),
    .grayscale(grayscale: false), .erasing(nil),
    .erasing(ErasingBox(x: 1, y: 2, width: 3, height: 4, noiseSeed: 99)),
  ])
  func numbersAreTheNumericFields(params: TransformParams) {
    var visited: [(Int, Double)] = []
    params.forEachNumber { visited.append(($0, $1)) }
    let expected = params.fields.enumerated().compactMap { index, field -> (Int, Double)? in
      switch field.value {
      case .int, .float: field.value.number.map { (index, $0) }
      default: nil
      }
    }
    #expect(visited.map(\.0) == expected.map(\.0) && visited.map(\.1) == expected.map(\.1))
  }
}

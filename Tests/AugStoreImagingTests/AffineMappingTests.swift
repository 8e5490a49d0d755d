import Testing

@testable import AugStoreImaging

/// The eight-lane fill-mode mapping against the scalar `map_coordinate`: both go through the same
/// generic definition, and the lanes must take every group whose period count is 0.
@Suite("AffineSampler: the lane mapping equals the scalar map_coordinate")
struct AffineMappingTests {
  static func sampler(_ mode: FillMode, length: Int) -> AffineSampler {
    AffineSampler(
      transform: .identity, inputHeight: length, inputWidth: length, channels: 3, fillMode: mode,
      fillValue: 0)
  }

  /// Coordinates around every multiple of `length` in `[−3·length, 3·length]` (the float neighbours of
  /// each, and of `length − 1` and `2·length − 2`), an even sweep, and far and non-finite values.
  static func coordinates(_ length: Int) -> [Float] {
    let size = Float(length)
    var values: [Float] = []
    for k in -3...3 {
      for base in [Float(k) * size, Float(k) * size - 1, Float(k) * size + size - 1] {
        values += [base.nextDown.nextDown, base.nextDown, base, base.nextUp, base.nextUp.nextUp]
        values += [base - 0.5, base + 0.5, base - 0.25, base + 0.75]
      }
    }
    values += stride(from: -3 * size, through: 3 * size, by: size / 37.3).map { $0 }
    values += [0, -0.0, 1e9, -1e9, 1_073_741_824, -1_073_741_824, .infinity, -.infinity, .nan]
    while values.count % 8 != 0 { values.append(0.5) }
    return values
  }

  @Test(arguments: [FillMode.reflect, .nearest, .wrap, .constant], [2, 3, 7, 224, 1000])
  func lanesEqualScalar(mode: FillMode, length: Int) {
    let sampler = Self.sampler(mode, length: length)
    let values = Self.coordinates(length)
    let period = Float(2 * length)
    let last = Float(length - 1)
    var taken = 0
    for start in stride(from: 0, to: values.count, by: 8) {
      let group = Array(values[start..<start + 8])
      var lanes = AffineSampler.Lanes(group)
      let scalar = group.map { sampler.map($0, length) }
      let inside = group.allSatisfy { $0 >= 0 && $0 <= last }
      let oneReflection = group.allSatisfy { $0 > -period && $0 < period }
      if sampler.mapLanes(&lanes, length) {
        taken += 1
        for lane in 0..<8 {
          // Equal as floats: the lanes leave inside coordinates alone, the scalar clamp turns −0 into
          // +0, and nothing downstream tells those apart.
          #expect(lanes[lane] == scalar[lane], "\(mode) length \(length): \(group[lane])")
        }
      } else {
        // The lanes decline only what they are documented to decline.
        switch mode {
        case .nearest: #expect(group.contains { $0.isNaN }, "nearest declined \(group)")
        case .reflect: #expect(!oneReflection, "reflect declined \(group)")
        case .wrap, .constant: #expect(!inside, "\(mode) declined an inside group \(group)")
        }
      }
      if inside {
        // Inside groups pass unchanged, bit for bit, in every fill mode.
        #expect((0..<8).allSatisfy { lanes[$0].bitPattern == group[$0].bitPattern })
      }
    }
    #expect(taken > 0)
  }

  @Test func clampIsMinOfMax() {
    let values: [Float] = [-1, -0.0, 0, 0.5, 6, 6.5, 7, .nan, .infinity, -.infinity, 1e-30, -1e-30]
    for value in values {
      for last: Float in [0, 6, 223] {
        let expected = Swift.min(Swift.max(value, 0), last)
        #expect(AffineSampler.clamp(value, last).bitPattern == expected.bitPattern, "\(value) \(last)")
        let lanes = AffineSampler.clamp(
          AffineSampler.Lanes(repeating: value), AffineSampler.Lanes(repeating: last))
        #expect(lanes[3].bitPattern == expected.bitPattern, "\(value) \(last)")
      }
    }
  }
}

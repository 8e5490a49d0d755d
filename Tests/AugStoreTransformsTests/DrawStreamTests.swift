import Testing

@testable import AugStoreTransforms

@Suite("Sample keys and draw addressing")
struct DrawAddressingTests {
  @Test("sample key is the big-endian first 8 bytes of SHA-256 of the UTF-8 path")
  func sampleKeyKnownAnswers() {
    #expect(SampleKey(path: "cats/001.png").rawValue == 0x7e86_5aa3_2af0_c430)
    #expect(SampleKey(path: "dogs/ünïcode.png").rawValue == 0x8e16_2fb4_d5e3_fea1)
    #expect(SampleKey(path: "").rawValue == 0xe3b0_c442_98fc_1c14)
    #expect(SampleKey(path: "cats/001.png").description == "7e865aa32af0c430")
    #expect(SampleKey(rawValue: 1).description == "0000000000000001")
  }

  @Test("draw layout: key [seed, domain], counter [sample, epoch, slot, d >> 2], word d & 3")
  func layoutKnownAnswers() {
    let sample = SampleKey(path: "cats/001.png")
    let address = DrawAddress(seed: 42, sampleKey: sample, epoch: 5, slot: .transform(2))
    #expect(address.key == [42, 0x6175_6773_2D70_726D])
    #expect(address.counterBase == [0x7e86_5aa3_2af0_c430, 5, 2, 0])
    // Computed once with an independent Python implementation of the documented layout.
    let expected: [UInt64] = [
      0x7844_0ee5_b1b7_82eb, 0x42df_7a5f_cfc7_c610, 0x7e33_37a7_affe_968e,
      0xb666_076d_ce8d_abf3, 0xc90d_31ea_c1b0_8949, 0xe22c_f1d1_8a07_f9f3,
    ]
    var stream = DrawStream(address: address)
    for (index, word) in expected.enumerated() {
      #expect(stream.drawIndex == UInt64(index))
      let got = stream.nextWord()
      #expect(got == word)
      #expect(address.word(at: UInt64(index)) == word)
    }
    var original = DrawStream(
      address: DrawAddress(seed: 42, sampleKey: sample, epoch: 5, slot: .originalDecision))
    #expect(DrawSlot.originalDecision.counterWord == UInt64.max)
    let first = original.nextWord()
    let second = original.nextWord()
    #expect(first == 0xab8e_5e7d_40c4_245a)
    #expect(second == 0xbdf0_8384_66bc_6e99)
    #expect(drawSchemeVersion == 2 && DrawScheme.current == .keras)
  }

  @Test("every address component changes the draws")
  func componentsMatter() {
    let base = DrawAddress(seed: 1, sampleKey: SampleKey(rawValue: 2), epoch: 3, slot: .transform(4))
    var variants = [base]
    variants.append(DrawAddress(seed: 9, sampleKey: SampleKey(rawValue: 2), epoch: 3, slot: .transform(4)))
    variants.append(DrawAddress(seed: 1, sampleKey: SampleKey(rawValue: 9), epoch: 3, slot: .transform(4)))
    variants.append(DrawAddress(seed: 1, sampleKey: SampleKey(rawValue: 2), epoch: 9, slot: .transform(4)))
    variants.append(DrawAddress(seed: 1, sampleKey: SampleKey(rawValue: 2), epoch: 3, slot: .transform(9)))
    variants.append(
      DrawAddress(seed: 1, sampleKey: SampleKey(rawValue: 2), epoch: 3, slot: .originalDecision))
    let words = Set(variants.map { $0.word(at: 0) })
    #expect(words.count == variants.count)
  }
}

@Suite("Draw formulas")
struct DrawFormulaTests {
  func stream(_ seed: UInt64) -> DrawStream {
    DrawStream(
      address: DrawAddress(seed: seed, sampleKey: SampleKey(rawValue: 77), epoch: 0, slot: .transform(0)))
  }

  @Test("unit double formula at the extremes")
  func unitDoubleExtremes() {
    #expect(DrawStream.unitDouble(0) == 0)
    #expect(DrawStream.unitDouble(UInt64.max) == 1 - 0x1p-53)
    #expect(DrawStream.unitDouble(1 << 63) == 0.5)
    #expect(DrawStream.scale(1 - 0x1p-53, lower: 0, upper: 1) < 1)
    #expect(DrawStream.scale(0.999_999_999_999_999_9, lower: -1e-300, upper: 1e-300) < 1e-300)
    #expect(DrawStream.scale(0.5, lower: 2, upper: 2) == 2)
    #expect(DrawStream.scale(0.5, lower: 3, upper: 2) == 3)
  }

  @Test("uniform doubles stay in range and fill it evenly")
  func uniformRangeAndChiSquare() {
    var s = stream(1)
    let bins = 20
    var counts = [Int](repeating: 0, count: bins)
    let n = 100_000
    for _ in 0..<n {
      let value = s.nextDouble(lower: -3, upper: 5)
      #expect(value >= -3 && value < 5)
      counts[min(Int((value + 3) / 8 * Double(bins)), bins - 1)] += 1
    }
    let expected = Double(n) / Double(bins)
    let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    // 19 degrees of freedom: the 99.99th percentile is about 49.
    #expect(chiSquare < 49)
  }

  @Test("Bool draws: p = 0 never, p = 1 always, p = 0.3 about 30%")
  func bools() {
    var s = stream(2)
    var trues = 0
    for _ in 0..<20_000 {
      let never = s.nextBool(probability: 0)
      let always = s.nextBool(probability: 1)
      #expect(!never)
      #expect(always)
      if s.nextBool(probability: 0.3) { trues += 1 }
    }
    #expect(abs(Double(trues) / 20_000 - 0.3) < 0.02)
  }

  @Test("integer draws are in range and unbiased", arguments: [3, 6, 7])
  func integers(bound: Int) {
    var s = stream(UInt64(bound))
    var counts = [Int](repeating: 0, count: bound)
    let n = 60_000
    for _ in 0..<n {
      let value = s.nextInt(below: bound)
      #expect(value >= 0 && value < bound)
      counts[value] += 1
    }
    let expected = Double(n) / Double(bound)
    let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    // At most 6 degrees of freedom: the 99.99th percentile is about 27.9.
    #expect(chiSquare < 28)
  }

  @Test("Lemire rejection consumes the next draws deterministically")
  func rejectionConsumesDraws() {
    // With bound 2^63 + 1 about half of all words are rejected.
    let bound = (UInt64(1) << 63) + 1
    var a = stream(3)
    var b = stream(3)
    var sawRejection = false
    for _ in 0..<64 {
      let before = a.drawIndex
      let x = a.nextUInt64(below: bound)
      #expect(x < bound)
      if a.drawIndex - before > 1 { sawRejection = true }
      let y = b.nextUInt64(below: bound)
      #expect(y == x)
      #expect(a.drawIndex == b.drawIndex)
    }
    #expect(sawRejection)
    var one = stream(4)
    let zero = one.nextInt(below: 1)
    #expect(zero == 0)
    #expect(one.drawIndex == 1)
  }
}

@Suite("Epoch shuffle order")
struct ShuffleOrderTests {
  @Test("is a permutation, stable across calls, different between epochs")
  func permutationProperties() {
    let a = ShuffleOrder.permutation(seed: 42, epoch: 0, count: 1000)
    #expect(a.sorted() == Array(0..<1000))
    #expect(a == ShuffleOrder.permutation(seed: 42, epoch: 0, count: 1000))
    #expect(a != ShuffleOrder.permutation(seed: 42, epoch: 1, count: 1000))
    #expect(a != ShuffleOrder.permutation(seed: 43, epoch: 0, count: 1000))
    #expect(ShuffleOrder.permutation(seed: 42, epoch: 0, count: 0) == [])
    #expect(ShuffleOrder.permutation(seed: 42, epoch: 0, count: 1) == [0])
  }

  @Test("known orders for fixed seeds (guards against algorithm changes)")
  func knownOrders() {
    #expect(ShuffleOrder.permutation(seed: 42, epoch: 0, count: 10) == [2, 0, 7, 5, 3, 4, 6, 9, 8, 1])
    #expect(ShuffleOrder.permutation(seed: 42, epoch: 1, count: 10) == [8, 4, 7, 6, 0, 9, 5, 1, 2, 3])
    #expect(
      Array(ShuffleOrder.permutation(seed: 7, epoch: 3, count: 1000).prefix(8))
        == [365, 72, 969, 509, 987, 225, 793, 822])
  }

  @Test("identity when shuffle is off")
  func identity() {
    #expect(ShuffleOrder.identity(count: 5) == [0, 1, 2, 3, 4])
    #expect(ShuffleOrder.order(seed: 1, epoch: 2, count: 5, shuffle: false) == [0, 1, 2, 3, 4])
    #expect(
      ShuffleOrder.order(seed: 1, epoch: 2, count: 50, shuffle: true)
        == ShuffleOrder.permutation(seed: 1, epoch: 2, count: 50))
  }
}

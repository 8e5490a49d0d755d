import Testing

@testable import AugStoreTransforms

/// One known answer: numpy's first `random_raw` block for `numpyCounter`, which is our block at
/// `counter = numpyCounter + 1` (numpy increments before producing a block).
struct NumpyVector: Sendable, CustomTestStringConvertible {
  var key: SIMD2<UInt64>
  var numpyCounter: SIMD4<UInt64>
  var counter: SIMD4<UInt64>
  var expected: SIMD4<UInt64>
  var testDescription: String { "key \(key) counter \(counter)" }
}

private let allOnes = UInt64.max

/// Vectors computed once with numpy 2.x: `numpy.random.Philox(key=key, counter=numpyCounter)`,
/// `bit_generator.random_raw(4)`.
let numpyVectors: [NumpyVector] = [
  NumpyVector(
    key: [0, 0], numpyCounter: [allOnes, allOnes, allOnes, allOnes], counter: [0, 0, 0, 0],
    expected: [0x1655_4d9e_ca36_314c, 0xdb20_fe9d_672d_0fdc, 0xd7e7_72ce_e186_176b, 0x7e68_b68a_ec7b_a23b]),
  NumpyVector(
    key: [0, 0], numpyCounter: [0, 0, 0, 0], counter: [1, 0, 0, 0],
    expected: [0x02f4_ba64_08e4_d89b, 0x3dd6_2b0b_9ca8_c5b2, 0x1c86_67a5_5d90_2e79, 0x907d_7a05_2fd5_b4dc]),
  NumpyVector(
    key: [allOnes, allOnes], numpyCounter: [allOnes, 0, 0, 0], counter: [0, 1, 0, 0],
    expected: [0x0183_ae9c_ef09_fd9d, 0xa10e_fc28_478a_de93, 0x82e3_8367_1190_a84e, 0x7a78_e407_151a_04be]),
  NumpyVector(
    key: [allOnes, allOnes], numpyCounter: [allOnes, allOnes, 0, 0], counter: [0, 0, 1, 0],
    expected: [0xbbc7_32ab_8bf5_a78a, 0x08ce_1f66_449b_b016, 0x3b3e_0abb_6c13_5698, 0x6749_2af3_a89d_086c]),
  NumpyVector(
    key: [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210], numpyCounter: [41, 7, 3, allOnes],
    counter: [42, 7, 3, allOnes],
    expected: [0x1f0c_c473_dd76_f1a1, 0x5354_fb7f_3840_a8b1, 0xa08d_ec61_b652_7748, 0xb0a5_96b3_5648_e281]),
  NumpyVector(
    key: [42, 0x5a5a_5a5a_5a5a_5a5a], numpyCounter: [allOnes, allOnes, allOnes, 5], counter: [0, 0, 0, 6],
    expected: [0xdb05_d8d6_6bcb_eb32, 0x533f_162f_c6c5_27a3, 0xac90_6fcb_c64b_2a41, 0x5789_76e3_6a85_5049]),
  NumpyVector(
    key: [1, 2], numpyCounter: [3, 4, 5, 6], counter: [4, 4, 5, 6],
    expected: [0x8070_e578_8d05_927e, 0x1c5a_ef1c_b545_1508, 0xd04b_22ec_4863_e2a0, 0xd67c_c7da_10e9_19ce]),
]

/// Adds one to a 256-bit counter, word 0 least significant (numpy's pre-increment).
func incremented(_ counter: SIMD4<UInt64>) -> SIMD4<UInt64> {
  var result = counter
  for index in 0..<4 {
    result[index] &+= 1
    if result[index] != 0 { break }
  }
  return result
}

@Suite("Philox4x64-10")
struct PhiloxTests {
  @Test("matches numpy's Philox block for block", arguments: numpyVectors)
  func matchesNumpy(vector: NumpyVector) {
    #expect(incremented(vector.numpyCounter) == vector.counter)
    #expect(Philox4x64.block(key: vector.key, counter: vector.counter) == vector.expected)
  }

  @Test("matches the Random123 published known answers for philox4x64-10")
  func random123KnownAnswers() {
    #expect(
      Philox4x64.block(key: [0, 0], counter: [0, 0, 0, 0])
        == [0x1655_4d9e_ca36_314c, 0xdb20_fe9d_672d_0fdc, 0xd7e7_72ce_e186_176b, 0x7e68_b68a_ec7b_a23b])
    #expect(
      Philox4x64.block(key: [allOnes, allOnes], counter: [allOnes, allOnes, allOnes, allOnes])
        == [0x87b0_92c3_013f_e90b, 0x438c_3c67_be8d_0224, 0x9cc7_d7c6_9cd7_77b6, 0xa09c_aebf_594f_0ba0])
    #expect(
      Philox4x64.block(
        key: [0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c],
        counter: [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89])
        == [0xa528_f454_03e6_1d95, 0x38c7_2dbd_566e_9788, 0xa5a1_610e_72fd_18b5, 0x57bd_43b5_e52b_7fe6])
  }

  @Test("is a pure function of key and counter")
  func pure() {
    let a = Philox4x64.block(key: [7, 8], counter: [1, 2, 3, 4])
    let b = Philox4x64.block(key: [7, 8], counter: [1, 2, 3, 4])
    #expect(a == b)
    #expect(a != Philox4x64.block(key: [7, 9], counter: [1, 2, 3, 4]))
    #expect(a != Philox4x64.block(key: [7, 8], counter: [1, 2, 3, 5]))
  }
}

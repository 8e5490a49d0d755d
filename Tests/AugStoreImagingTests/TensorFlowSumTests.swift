import AugStoreImaging
import Foundation
import Testing

/// `Kernels.tensorFlowSum` and the Gaussian taps of kernel version 2 against values TensorFlow computed
/// (Fixtures/keras/reduce-sum.json, written by Tools/keras-parity/make_reduce_sum_fixture.py).
@Suite struct TensorFlowSumTests {
  struct Reference: Decodable {
    struct Sum: Decodable {
      var values: [UInt32]
      var sum: UInt32
    }
    struct GaussianKernel: Decodable {
      var size: Int
      var sigma: UInt32
      var taps: [UInt32]
    }
    var sums: [Sum]
    var gaussianKernels: [GaussianKernel]

    enum CodingKeys: String, CodingKey {
      case sums
      case gaussianKernels = "gaussian_kernels"
    }
  }

  static func reference() throws -> Reference {
    try JSONDecoder().decode(Reference.self, from: Data(Fixtures.bytes("keras", "reduce-sum.json")))
  }

  @Test func sumsLikeTensorFlowReduceSum() throws {
    let reference = try Self.reference()
    #expect(reference.sums.count >= 10)
    var sequentialMisses = 0
    for entry in reference.sums {
      let values = entry.values.map(Float.init(bitPattern:))
      #expect(
        Kernels.tensorFlowSum(values).bitPattern == entry.sum,
        "\(values.count) values: \(Kernels.tensorFlowSum(values)) against \(Float(bitPattern: entry.sum))")
      if values.reduce(0, +).bitPattern != entry.sum { sequentialMisses += 1 }
    }
    // The order matters: a left-to-right sum misses some of TensorFlow's results.
    #expect(sequentialMisses > 0)
  }

  @Test func gaussianTapsOfVersionTwoAreNormalisedAsTensorFlowDoes() throws {
    let reference = try Self.reference()
    var versionOneMisses = 0
    for kernel in reference.gaussianKernels {
      let sigma = Float(bitPattern: kernel.sigma)
      let taps = Kernels.gaussianKernel1D(size: kernel.size, sigma: sigma, version: .tensorFlowGaussianSum)
      #expect(taps.map(\.bitPattern) == kernel.taps, "size \(kernel.size), sigma \(sigma)")
      let old = Kernels.gaussianKernel1D(size: kernel.size, sigma: sigma, version: .sequentialGaussianSum)
      if old.map(\.bitPattern) != kernel.taps { versionOneMisses += 1 }
    }
    // Version 1 (kept for runs recorded before version 2) misses Keras' taps for some kernels.
    #expect(versionOneMisses > 0)
  }

  @Test func fewerThanEightValuesSumLeftToRight() {
    let values: [Float] = [1e8, 1, -1e8, 1, 0.5, 3, 7]
    #expect(Kernels.tensorFlowSum(values) == values.reduce(0, +))
    #expect(Kernels.tensorFlowSum([]) == 0)
  }
}

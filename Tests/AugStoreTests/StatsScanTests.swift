import AugStoreCatalog
import AugStoreTransforms
import Testing

@testable import AugStore

/// `stats` reads records of fixed-layout parameters straight from their bytes (`StatsRecordScan`);
/// what it reads must be what decoding them gives, and splitting the pass over two threads must not
/// change any figure.
@Suite struct StatsScanTests {
  /// One record of every fixed-layout parameter kind, with neutral, signed-zero and non-finite values.
  static let params: [[TransformParams]] = [
    [.none, .flip(flips: true), .flip(flips: false), .rotation(angle: -3.5), .rotation(angle: -0.0)],
    [
      .zoom(heightZoom: 1, widthZoom: 1), .zoom(heightZoom: 1.1, widthZoom: 1),
      .translation(translateX: 0, translateY: -1),
    ],
    [
      .translation(translateX: 0, translateY: 0), .shear(shearX: 0, shearY: 0.25),
      .shear(shearX: -0.0, shearY: 0),
    ],
    [
      .gaussianBlur(shouldApplyBlur: true, blurFactorX: 0.5, blurFactorY: 1.5),
      .gaussianBlur(shouldApplyBlur: false, blurFactorX: 0, blurFactorY: 0),
      .perspective(applyPerspective: true, endPoints: [1, 2, 3, 4, 5, 6, 7, -8]),
      .perspective(applyPerspective: false, endPoints: [Float](repeating: 0, count: 8)),
    ],
    [
      .elasticTransform(applyTransform: true, distortionFactor: 0.3, noiseSeed: 0xFEDC_BA98_7654_3210),
      .elasticTransform(applyTransform: true, distortionFactor: 0, noiseSeed: 1),
      .crop(x: 0, y: 0), .crop(x: 300, y: 1_000_000),
    ],
    [
      .brightness(rgbDelta: 0), .brightness(rgbDelta: 0.2), .contrast(contrastFactor: 1),
      .contrast(contrastFactor: 1.3), .saturation(saturationFactor: 1), .saturation(saturationFactor: 0.7),
      .hue(hueFactor: 0), .hue(hueFactor: .nan), .grayscale(grayscale: true), .grayscale(grayscale: false),
    ],
    [
      .erasing(nil), .erasing(ErasingBox(x: 1, y: 2, width: 3, height: 4, noiseSeed: 99)),
      .erasing(ErasingBox(x: 200, y: 0, width: 0, height: 4, noiseSeed: nil)),
      .invert(applyInversion: true), .invert(applyInversion: false),
    ],
    [
      .solarization(additions: 0.1, thresholds: 0.7), .posterization(shiftFactor: 0),
      .posterization(shiftFactor: 8), .colorDegeneration(factor: 0), .colorDegeneration(factor: 0.4),
      .sharpness(factor: 0.5), .sharpness(factor: 0.9),
    ],
    [
      .colorJitter(ColorJitterParams(rgbDelta: 0, contrastFactor: 1, saturationFactor: 1, hueFactor: 0)),
      .colorJitter(
        ColorJitterParams(rgbDelta: nil, contrastFactor: 1.2, saturationFactor: nil, hueFactor: 0)),
      .colorJitter(
        ColorJitterParams(rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)),
      .colorJitter(
        ColorJitterParams(rgbDelta: -0.1, contrastFactor: nil, saturationFactor: 0.5, hueFactor: 0.05)),
    ],
    [],
  ]

  /// What the general path gives for `record` with a pipeline of `transformCount` transforms: its
  /// hash, its numbers as (key, value), the transforms that changed the image, whether any did.
  static func general(
    _ record: SampleRecord, transformCount: Int
  ) -> (
    hash: UInt64, numbers: [(Int, Double)], changed: [Int], anyChange: Bool
  ) {
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
    var numbers: [(Int, Double)] = []
    var changed: [Int] = []
    for (transform, params) in record.params.enumerated() {
      hash = StatsPass.mix(hash, params)
      guard transform < transformCount else { continue }
      params.forEachNumber { numbers.append((transform * StatsPass.fieldStride + $0, $1)) }
      if params.changesImage { changed.append(transform) }
    }
    return (hash, numbers, changed, record.params.contains(where: \.changesImage))
  }

  /// Scans the record that starts at `start` of `bytes`.
  static func scan(
    _ bytes: [UInt8], from start: Int = 0, transformCount: Int
  ) -> (
    StatsRecordScan, keys: [Int], values: [Double]
  )? {
    var keys = [Int](repeating: 0, count: 256)
    var values = [Double](repeating: 0, count: 256)
    return keys.withUnsafeMutableBufferPointer { keyBuffer in
      values.withUnsafeMutableBufferPointer { valueBuffer in
        var scan = StatsRecordScan(transformCount: transformCount, keys: keyBuffer, values: valueBuffer)
        guard bytes.withUnsafeBufferPointer({ scan.scan($0, from: start) }) else { return nil }
        return (scan, Array(keyBuffer[..<scan.valueCount]), Array(valueBuffer[..<scan.valueCount]))
      }
    }
  }

  /// Where a scan of `bytes` ends, or `nil` when it leaves the record to the decoder.
  static func scannedEnd(_ bytes: [UInt8], transformCount: Int) -> Int? {
    scan(bytes, transformCount: transformCount)?.0.end
  }

  @Test(arguments: params.indices, [false, true])
  func aScanReadsWhatDecodingGives(index: Int, original: Bool) throws {
    let record = SampleRecord(original: original, params: Self.params[index])
    let prefix: [UInt8] = [7, 7, 7]
    // Fewer transforms than parameters: the last one's numbers and change are not counted.
    for transformCount in [record.params.count, max(0, record.params.count - 1)] {
      let (scan, keys, values) = try #require(
        Self.scan(prefix + record.encoded(), from: prefix.count, transformCount: transformCount))
      let expected = Self.general(record, transformCount: transformCount)
      #expect(scan.original == original && scan.end == prefix.count + record.encoded().count)
      #expect(scan.hash == expected.hash && scan.paramCount == record.params.count)
      #expect(keys == expected.numbers.map(\.0))
      #expect(values.map(\.bitPattern) == expected.numbers.map(\.1.bitPattern))
      #expect((0..<64).filter { scan.changedMask & (1 << UInt64($0)) != 0 } == expected.changed)
      #expect(scan.anyChange == expected.anyChange)
    }
  }

  @Test func compositeCorruptAndTruncatedRecordsAreLeftToTheDecoder() throws {
    let composite: [TransformParams] = [
      .randAugment(ops: [CompositeOp(index: 0, params: .rotation(angle: 2))]),
      .augMix(
        AugMixParams(chainWeights: [1], inputWeight: 0.5, chains: [[CompositeOp(index: 1, params: .none)]])),
      .mix(
        MixRecord(
          partner: 3, weight: 0.25, box: nil, partnerRecord: SampleRecord(original: true, params: []))),
    ]
    for params in composite {
      let bytes = SampleRecord(original: false, params: [.flip(flips: true), params]).encoded()
      #expect(Self.scannedEnd(bytes, transformCount: 2) == nil)
    }
    let bytes = SampleRecord(original: false, params: [.rotation(angle: 1), .crop(x: 5, y: 300)]).encoded()
    #expect(Self.scannedEnd(bytes, transformCount: 2) == bytes.count)
    for length in 0..<bytes.count {
      #expect(Self.scannedEnd(Array(bytes[..<length]), transformCount: 2) == nil)
    }
    var wrongVersion = bytes
    wrongVersion[0] = 2
    var wrongFlags = bytes
    wrongFlags[1] = 2
    var badBool = SampleRecord(original: false, params: [.flip(flips: true)]).encoded()
    badBool[badBool.count - 1] = 2
    var badShift = SampleRecord(original: false, params: [.posterization(shiftFactor: 8)]).encoded()
    badShift[badShift.count - 1] = 9
    for corrupt in [wrongVersion, wrongFlags, badBool, badShift] {
      #expect(Self.scannedEnd(corrupt, transformCount: 2) == nil)
      #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: corrupt) }
    }
  }

  /// Every layer kind (composites and mixing included, which take the general path), over epochs
  /// enough for several blocks: one thread and two give the same statistics, and they are what
  /// decoding every record gives.
  @Test func twoThreadsCountWhatOneThreadAndTheDecoderCount() throws {
    let fixture = try RecordFixture(samples: 2_400)
    let details = try fixture.makeRun(
      "every",
      pipeline: """
        {"transforms": [
          {"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomRotation", "factor": 0.1},
          {"type": "RandomZoom", "height_factor": 0.2, "width_factor": [-0.3, -0.1]},
          {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": 0.2},
          {"type": "RandomShear", "x_factor": 0.3, "y_factor": [0.4, 0.1]},
          {"type": "RandomGaussianBlur", "factor": 0.5, "kernel_size": [5, 3], "sigma": [0.5, 2.5]},
          {"type": "RandomPerspective", "factor": [0.9, 0.2], "scale": 0.25},
          {"type": "RandomElasticTransform", "scale": [0, 1.0], "fill_mode": "reflect", "value_range": [0, 255]},
          {"type": "RandomCrop", "height": 8, "width": 8},
          {"type": "RandomBrightness", "factor": 0.2}, {"type": "RandomContrast", "factor": 0.3},
          {"type": "RandomSaturation", "factor": [0.2, 0.8]}, {"type": "RandomHue", "factor": 0.4},
          {"type": "RandomGrayscale", "factor": 0.3}, {"type": "RandomErasing", "factor": [0.5, 1.0]},
          {"type": "RandomInvert", "factor": 0.5},
          {"type": "Solarization", "addition_factor": 0.1, "threshold_factor": [0.5, 0.9]},
          {"type": "RandomPosterization", "factor": [3, 7]}, {"type": "RandomColorDegeneration", "factor": 0.6},
          {"type": "AutoContrast"}, {"type": "RandomSharpness", "factor": [0.1, 0.9]},
          {"type": "RandomColorJitter", "brightness_factor": 0.2, "contrast_factor": 0.3,
           "saturation_factor": 0.4, "hue_factor": 0.1},
          {"type": "RandAugment", "value_range": [0, 255]}
        ], "original_probability": 0.2}
        """)
    let epochs = Array(0..<6)
    _ = try fixture.store.record(run: "every", epochs: EpochSelection(epochs))
    let one = try fixture.store.stats(run: "every", epochs: nil, threads: 1)
    let two = try fixture.store.stats(run: "every", epochs: nil, threads: 2)
    #expect(one == two)
    #expect(one.records == 2_400 * 6 && one.transforms.count == 23)
    #expect(one.transforms.allSatisfy { $0.applied == one.records - one.originalRecords })

    // The same pass with every record decoded.
    let transformCount = try Store.spec(of: details.pipeline).transforms.count
    var pass = StatsPass(run: "every", transformCount: transformCount, epochCount: epochs.count)
    try fixture.store.catalog.forEachBlockAcrossEpochs(run: details.run, epochs: epochs) { blocks in
      let count = blocks.first?.count ?? 0
      var group = ScannedBlocks(blocks: blocks, firstSample: 0, sampleCount: count)
      group.markUnscanned(count * blocks.count)
      try pass.add(group, epochs: epochs)
    }
    pass.finishFields()
    for field in pass.fields.indices {
      let finished = pass.fields[field].finish()
      #expect(finished)
    }
    let decoded = pass.stats(
      spec: try Store.spec(of: details.pipeline), epochs: epochs, sampleCount: 2_400)
    #expect(decoded == one)
  }

  /// Distinct tensors come from the digests once every record is materialized: with flips only,
  /// each sample has as many distinct tensors as distinct records (samples past the first chunk
  /// of a block included).
  @Test func materializedRunsCountDistinctDigestsPerSample() throws {
    let fixture = try RecordFixture(samples: 100)
    try fixture.makeRun("flip", pipeline: #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}]}"#)
    let epochs = try EpochSelection(Array(0..<4))
    _ = try fixture.store.record(run: "flip", epochs: epochs)
    let parameters = try fixture.store.stats(run: "flip", epochs: nil, threads: 2)
    #expect(parameters.distinctTensors.source == "parameters")
    _ = try fixture.store.materialize(run: "flip", epochs: epochs, jobs: 2)
    let one = try fixture.store.stats(run: "flip", epochs: nil, threads: 1)
    let two = try fixture.store.stats(run: "flip", epochs: nil, threads: 2)
    #expect(one == two)
    #expect(one.distinctTensors.source == "digests")
    #expect(one.distinctTensors.samplesByCount == parameters.distinctTensors.samplesByCount)
    #expect(one.distinctTensors.samplesByCount.count == 2)
  }
}

import AugStore
import AugStoreCatalog
import AugStoreCommands
import AugStoreTestSupport
import AugStoreTransforms
import Foundation
import Testing

/// `history --json` is written without `JSONEncoder`: its bytes must be the ones `JSONEncoder` writes
/// with the CLI's options (pretty printed, sorted keys, slashes not escaped), for every transform
/// kind, for awkward strings, and through the real binary on real stores.
@Suite struct HistoryJSONCLITests {
  /// What the CLI printed before: `JSONEncoder` with `Terminal.printJSON`'s options.
  static func encoded(_ report: HistoryReport) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(report), as: UTF8.self)
  }

  static let sample = Sample(position: 7, path: "cats/007.png", objectHash: "", label: "cats")

  static func history(_ params: [TransformParams], transforms: [String]? = nil) -> SampleHistory {
    SampleHistory(
      run: "r", sample: sample, transforms: transforms ?? params.indices.map { "Layer\($0)" },
      epochs: [
        StoredRecord(
          epoch: 0, sample: 7, position: 3, record: SampleRecord(original: false, params: params),
          digest: Array(0..<32)),
        StoredRecord(
          epoch: 2, sample: 7, position: 0, record: SampleRecord(original: true, params: []), digest: nil),
      ],
      partnerPaths: [4: "dogs/004.png"])
  }

  /// One value of every `TransformParams` case (and the optional parts of those that have them).
  static let everyKind: [TransformParams] = [
    .none, .flip(flips: true), .flip(flips: false), .rotation(angle: -12.5), .rotation(angle: 3),
    .zoom(heightZoom: 0.8125, widthZoom: 1.1), .translation(translateX: -3.25, translateY: 1e-7),
    .shear(shearX: 0.3, shearY: -0.05),
    .gaussianBlur(shouldApplyBlur: true, blurFactorX: 0.5, blurFactorY: 1e-6),
    .perspective(applyPerspective: true, endPoints: [0, 1.5, 30.25, -2, 0.1, 28, 31, 27.75]),
    .elasticTransform(applyTransform: false, distortionFactor: 0.75, noiseSeed: 0xDEAD_BEEF_0123_4567),
    .crop(x: 12, y: 0), .brightness(rgbDelta: -0.2), .contrast(contrastFactor: 1.25),
    .saturation(saturationFactor: 0.6), .hue(hueFactor: 0.999), .grayscale(grayscale: true),
    .erasing(nil), .erasing(ErasingBox(x: 1, y: 2, width: 3, height: 4, noiseSeed: nil)),
    .erasing(ErasingBox(x: 1, y: 2, width: 3, height: 4, noiseSeed: 42)), .invert(applyInversion: true),
    .solarization(additions: 25.5, thresholds: 128), .posterization(shiftFactor: 3),
    .colorDegeneration(factor: 0.4), .sharpness(factor: 0.5),
    .colorJitter(
      ColorJitterParams(rgbDelta: 0.1, contrastFactor: nil, saturationFactor: 1.5, hueFactor: -0.02)),
    .colorJitter(
      ColorJitterParams(rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)),
    .randAugment(ops: [
      CompositeOp(index: 0, params: .rotation(angle: 7)), CompositeOp(index: 99, params: .none),
    ]),
    .augMix(
      AugMixParams(
        chainWeights: [0.25, 0.75], inputWeight: 0.5,
        chains: [[CompositeOp(index: 1, params: .shear(shearX: 0.1, shearY: 0))], []])),
    .mix(
      MixRecord(partner: 4, weight: 0.37, box: nil, partnerRecord: SampleRecord(original: true, params: []))),
    .mix(
      MixRecord(
        partner: 4, weight: 0.5, box: MixBox(x: 1, y: 2, width: 5, height: 6),
        partnerRecord: SampleRecord(original: true, params: []))),
    .mix(MixRecord(partner: 9, weight: 1, box: nil, partnerRecord: SampleRecord(original: true, params: []))),
  ]

  @Test(arguments: everyKind)
  func eachTransformKindIsWrittenAsJSONEncoderWritesIt(params: TransformParams) throws {
    let report = HistoryReport(Self.history([params, .crop(x: 1, y: 2)]))
    #expect(HistoryJSON.text(report) == (try Self.encoded(report)))
  }

  @Test func everyKindInOneRecordAndUnnamedTransforms() throws {
    // More parameters than transform names: the extra ones are named "?".
    let report = HistoryReport(Self.history(Self.everyKind, transforms: ["RandomFlip"]))
    #expect(HistoryJSON.text(report) == (try Self.encoded(report)))
  }

  @Test(arguments: [
    "plain.png", "a/b/c.png", #"quote"and\backslash.png"#, "tab\tnewline\nreturn\rff\u{0C}bs\u{08}.png",
    "ctl\u{01}\u{1F}\u{7F}.png", "ünïcødé/猫/🐈‍⬛.png", "combining\"\u{301}.png", "", "</script>",
  ])
  func stringsAreEscapedAsJSONEncoderEscapesThem(text: String) throws {
    var history = Self.history([.elasticTransform(applyTransform: true, distortionFactor: 1, noiseSeed: 3)])
    history.run = text
    history.sample.path = text
    history.sample.label = text.isEmpty ? nil : text
    history.transforms = [text]
    let report = HistoryReport(history)
    #expect(HistoryJSON.text(report) == (try Self.encoded(report)))
  }

  @Test func noEpochsAndNoLabel() throws {
    var history = Self.history([])
    history.epochs = []
    history.sample.label = nil
    let report = HistoryReport(history)
    #expect(HistoryJSON.text(report) == (try Self.encoded(report)))
  }

  @Test(arguments: [Float.nan, .infinity, -.infinity])
  func aFloatWithoutANumberIsLeftToJSONEncoder(value: Float) throws {
    let report = HistoryReport(Self.history([.rotation(angle: value)]))
    #expect(HistoryJSON.text(report) == nil)
    #expect(throws: EncodingError.self) { try Self.encoded(report) }
  }

  /// Real stores, the real binary: `history --json` prints what `JSONEncoder` makes of the library's
  /// history, for every sample.
  @Test(arguments: [
    GeometryLayersCLITests.spec, ColourLayersCLITests.spec, CompositeLayersCLITests.spec,
    """
    {"transforms": [
      {"type": "RandomFlip"}, {"type": "RandomRotation", "factor": 0.2}, {"type": "RandomZoom", "height_factor": 0.2},
      {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": 0.2},
      {"type": "RandomBrightness", "factor": 0.2}, {"type": "RandomContrast", "factor": 0.3},
      {"type": "RandomSaturation", "factor": 0.4}, {"type": "RandomHue", "factor": 0.1},
      {"type": "RandomGrayscale", "factor": 0.5}, {"type": "RandomErasing", "factor": 0.7},
      {"type": "AugMix"}, {"type": "RandomCrop", "height": 10, "width": 12}
    ], "original_probability": 0.25}
    """,
  ])
  func theBinaryPrintsWhatJSONEncoderWritesOnARealStore(spec: String) throws {
    let folder = try TemporaryDirectory()
    let store = folder.appending("store")
    let images = folder.appending("images")
    try ImageFolder.make(at: images, classes: 2, perClass: 3, width: 32, height: 24)
    try Files.write(Array(spec.utf8), to: folder.appending("p.json"))
    for arguments in [
      ["init", store], ["dataset", "add", "d", "--from", images, "--store", store],
      ["pipeline", "add", "p", "--spec", folder.appending("p.json"), "--store", store],
      ["run", "create", "r", "--dataset", "d", "--pipeline", "p", "--seed", "11", "--store", store],
      ["record", "r", "--epochs", "0-5", "--store", store],
      ["materialize", "r", "--epochs", "1", "--store", store],
    ] {
      let outcome = try CLI.run(arguments)
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let opened = try Store(opening: store, readOnly: true)
    for sample in 0..<6 {
      let outcome = try CLI.run(["history", "r", "--sample", "\(sample)", "--json", "--store", store])
      #expect(outcome.status == 0, "\(outcome.stderr)")
      let expected = try Self.encoded(HistoryReport(try opened.history(run: "r", sample: "\(sample)"))) + "\n"
      #expect(outcome.stdout == expected)
    }
    let selected = try CLI.run([
      "history", "r", "--sample", "0", "--epochs", "1-2,4", "--json", "--store", store,
    ])
    let expected = try Self.encoded(
      HistoryReport(try opened.history(run: "r", sample: "0", epochs: try EpochSelection(parsing: "1-2,4"))))
    #expect(selected.stdout == expected + "\n")
  }
}

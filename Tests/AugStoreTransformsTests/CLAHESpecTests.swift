import Foundation
import Testing

@testable import AugStoreTransforms

/// Parsing, defaults, canonical form, records and validation of
/// `ContrastLimitedAdaptiveHistogramEqualization`.
@Suite("CLAHE spec")
struct CLAHESpecTests {
  static let name = "ContrastLimitedAdaptiveHistogramEqualization"

  @Test("parses with Keras 3.15.1's defaults and writes every argument in the canonical form")
  func defaults() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "\#(Self.name)"}"#))
    #expect(
      spec.transforms == [.clahe(valueRange: .uint8, clipLimit: 4, tileGridHeight: 8, tileGridWidth: 8)])
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(spec.output.dtype == .uint8)
    #expect(
      spec.canonicalJSON.contains(
        #"{"clip_limit":4.0,"tile_grid_size":[8,8],"type":"\#(Self.name)","value_range":[0.0,255.0]}"#))
    let long = try PipelineSpec(
      json: pipeline(
        #"{"type": "\#(Self.name)", "clip_limit": 4, "tile_grid_size": [8.0, 8], "value_range": [255, 0]}"#))
    #expect(long.fingerprint == spec.fingerprint)
    let other = try PipelineSpec(
      json: pipeline(#"{"type": "\#(Self.name)", "clip_limit": 0, "tile_grid_size": [3, 5]}"#))
    #expect(
      other.transforms == [.clahe(valueRange: .uint8, clipLimit: 0, tileGridHeight: 3, tileGridWidth: 5)])
    #expect(other.fingerprint != spec.fingerprint)
  }

  @Test("draws nothing: every record is `none`, and it codes as such")
  func drawsNothing() throws {
    let spec = TransformSpec.clahe(valueRange: .uint8, clipLimit: 2, tileGridHeight: 4, tileGridWidth: 4)
    for sample in 0..<20 {
      let params = spec.drawParams(
        address: DrawAddress(
          seed: 9, sampleKey: SampleKey(rawValue: UInt64(sample)), epoch: 1, slot: .transform(0)),
        inputSize: ImageSize(height: 20, width: 30))
      #expect(params == .none)
    }
  }

  @Test("rejects bad arguments with a one-line message", arguments: rejections)
  func rejects(rejection: PipelineSpecTests.Rejection) {
    let error = parseError(rejection.json)
    #expect(error?.kind == rejection.kind)
    #expect(error?.message == rejection.message)
  }

  static let rejections: [PipelineSpecTests.Rejection] = [
    .init(
      json: pipeline(#"{"type": "\#(name)", "clip_limit": "4"}"#), kind: .wrongType,
      message: "transforms[0] (\(name)): clip_limit must be a number, got string"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "tile_grid_size": 8}"#), kind: .wrongType,
      message: "transforms[0] (\(name)): tile_grid_size must be a list of two integers, got number"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "tile_grid_size": [8, 8, 8]}"#), kind: .invalidValue,
      message: "transforms[0] (\(name)): tile_grid_size must be a list of two integers, got a list of 3"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "tile_grid_size": [0, 8]}"#), kind: .outOfRange,
      message: "transforms[0] (\(name)): tile_grid_size 0 is out of range [1, 4096]"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "tile_grid_size": [4, 2.5]}"#), kind: .wrongType,
      message: "transforms[0] (\(name)): tile_grid_size must hold integers, got 2.5"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "value_range": [1, 1]}"#), kind: .invalidValue,
      message: "transforms[0] (\(name)): value_range must span a non-empty range"),
    .init(
      json: pipeline(#"{"type": "\#(name)", "bins": 64}"#), kind: .unknownArgument,
      message: "transforms[0] (\(name)): unknown argument \"bins\""),
  ]
}

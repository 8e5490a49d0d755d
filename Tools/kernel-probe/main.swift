// kernel-probe: applies augstore's pixel kernels to .npy files described by a JSON case list (for the
// Keras parity check), and times each kernel single-threaded (for the Albumentations benchmark).
//
//   kernel-probe run CASES.json         each case: {"input": "x.npy", "ops": [...], "output": "y.npy"}
//   kernel-probe bench [--seconds S] [--cpu-clock] [--json] [--only NAME,...] IMAGE.npy...
//   kernel-probe decode [--repeat N] [--decoder 1|2] [--json] IMAGE...   PNG/JPEG decode throughput, single thread
//
// Relative paths in a case file are resolved against the case file's folder.
import AugStoreImaging
import AugStoreTransforms
import Foundation

/// A failure with a message for stderr.
struct ProbeError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// An image in flight: 8-bit until a float step runs.
enum Value {
  case bytes(Tensor)
  case floats([Float], shape: [Int])
}

func readNPY(_ path: String) throws -> Tensor {
  guard let data = FileManager.default.contents(atPath: path) else { throw ProbeError("cannot read \(path)") }
  let array = try NPY.decode([UInt8](data))
  if let tensor = array.tensor { return tensor }
  // Accept (H, W) grey arrays too.
  if array.dtype == .uint8 && array.shape.count == 2 {
    return Tensor(height: array.shape[0], width: array.shape[1], channels: 1, pixels: array.data)
  }
  throw ProbeError("\(path): expected a uint8 (H, W, C) array with 1 to 4 channels")
}

func writeValue(_ value: Value, to path: String) throws {
  let bytes: [UInt8]
  switch value {
  case .bytes(let tensor): bytes = NPY.encode(tensor)
  case .floats(let values, let shape): bytes = NPY.encode(shape: shape, float32: values)
  }
  guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
    throw ProbeError("cannot write \(path)")
  }
}

extension Dictionary where Key == String, Value == Any {
  func double(_ key: String, _ fallback: Double? = nil) throws -> Double {
    if let number = self[key] as? NSNumber { return number.doubleValue }
    if let fallback { return fallback }
    throw ProbeError("op \(self["op"] ?? "?"): missing number \"\(key)\"")
  }
  func int(_ key: String) throws -> Int { Int(try double(key)) }
  func bool(_ key: String, _ fallback: Bool) -> Bool { (self[key] as? NSNumber)?.boolValue ?? fallback }
  func string(_ key: String, _ fallback: String) -> String { self[key] as? String ?? fallback }
  func floats(_ key: String) throws -> [Float] {
    if let list = self[key] as? [NSNumber] { return list.map(\.floatValue) }
    if let number = self[key] as? NSNumber { return [number.floatValue] }
    throw ProbeError("op \(self["op"] ?? "?"): missing list \"\(key)\"")
  }
}

/// Sampling options shared by the geometric ops.
struct Sampling {
  var interpolation: Interpolation
  var fillMode: FillMode
  var fillValue: Float

  init(_ op: [String: Any]) throws {
    guard let interpolation = Interpolation(rawValue: op.string("interpolation", "bilinear")) else {
      throw ProbeError("unknown interpolation \(op["interpolation"] ?? "")")
    }
    guard let fillMode = FillMode(rawValue: op.string("fill_mode", "reflect")) else {
      throw ProbeError("unknown fill_mode \(op["fill_mode"] ?? "")")
    }
    self.interpolation = interpolation
    self.fillMode = fillMode
    self.fillValue = Float(try op.double("fill_value", 0))
  }
}

/// The affine matrix of a geometric op on an image of the given size, or nil for other ops.
func matrix(of op: [String: Any], height: Int, width: Int) throws -> AugStoreImaging.AffineTransform? {
  switch op.string("op", "") {
  case "rotate":
    return .rotation(degrees: try op.double("angle"), height: height, width: width)
  case "zoom":
    return .zoom(
      heightZoom: try op.double("height_zoom"), widthZoom: try op.double("width_zoom"), height: height,
      width: width)
  case "translate":
    return .translation(x: try op.double("x"), y: try op.double("y"))
  case "shear":
    return .shear(x: try op.double("x"), y: try op.double("y"))
  case "affine":
    let m = try op.floats("matrix").map(Double.init)
    guard m.count >= 6 else { throw ProbeError("affine: matrix needs 6 coefficients") }
    return AugStoreImaging.AffineTransform(a0: m[0], a1: m[1], a2: m[2], b0: m[3], b1: m[4], b2: m[5])
  default:
    return nil
  }
}

func apply(_ op: [String: Any], to value: Value) throws -> Value {
  let name = op.string("op", "")
  if case .floats(let values, let shape) = value {
    switch name {
    case "normalize":
      return .floats(
        Kernels.normalize(
          values, channels: shape[2], mean: try op.floats("mean"), variance: try op.floats("variance")),
        shape: shape)
    case "channels_first":
      return .floats(
        Kernels.channelsFirst(values, height: shape[0], width: shape[1], channels: shape[2]),
        shape: [shape[2], shape[0], shape[1]])
    default:
      throw ProbeError("op \(name) needs an 8-bit image")
    }
  }
  guard case .bytes(let image) = value else { throw ProbeError("unreachable") }
  let shape = [image.height, image.width, image.channels]
  if let transform = try matrix(of: op, height: image.height, width: image.width) {
    let sampling = try Sampling(op)
    return .bytes(
      Kernels.affine(
        image, transform, interpolation: sampling.interpolation, fillMode: sampling.fillMode,
        fillValue: sampling.fillValue))
  }
  switch name {
  case "flip":
    return .bytes(
      Kernels.flip(image, horizontal: op.bool("horizontal", false), vertical: op.bool("vertical", false)))
  case "gaussian_blur":
    return .bytes(
      Kernels.gaussianBlur(
        image, kernelHeight: try op.int("kernel_height"), kernelWidth: try op.int("kernel_width"),
        sigmaX: Float(try op.double("sigma_x")), sigmaY: Float(try op.double("sigma_y"))))
  case "perspective":
    let end = try op.floats("end_points")
    let right = Float(image.width - 1)
    let bottom = Float(image.height - 1)
    let start: [(x: Float, y: Float)] = [(0, 0), (right, 0), (0, bottom), (right, bottom)]
    guard end.count == 8,
      let transform = ProjectiveTransform.homography(
        start: start, end: (0..<4).map { (x: end[2 * $0], y: end[2 * $0 + 1]) })
    else { return .bytes(image) }
    let sampling = try Sampling(op)
    return .bytes(
      Kernels.perspective(
        image, transform, interpolation: sampling.interpolation, fillValue: sampling.fillValue))
  case "elastic":
    // Keras' RandomElasticTransform with augstore's noise field; "noise_output" also writes that field
    // (float32, H×W) so the parity check can hand it to Keras in place of its own generator's.
    guard let seedText = op["noise_seed"] as? String, let seed = UInt64(seedText, radix: 16) else {
      throw ProbeError("elastic: noise_seed must be a hexadecimal string")
    }
    guard let fillMode = MapFillMode(rawValue: op.string("fill_mode", "reflect")) else {
      throw ProbeError("unknown elastic fill_mode \(op["fill_mode"] ?? "")")
    }
    let sampling = try Sampling(op.filter { $0.key != "fill_mode" })
    let noise = ElasticNoise.field(seed: seed, count: image.height * image.width)
    if let path = op["noise_output"] as? String {
      try writeValue(.floats(noise, shape: [image.height, image.width]), to: path)
    }
    let parameters = ElasticParameters(
      height: image.height, width: image.width, distortionFactor: Float(try op.double("distortion_factor")))
    let displacement = Kernels.elasticDisplacement(
      noise: noise, height: image.height, width: image.width, parameters: parameters)
    return .bytes(
      Kernels.elasticTransform(
        image, displacement: displacement, alpha: parameters.alpha, interpolation: sampling.interpolation,
        fillMode: fillMode, fillValue: sampling.fillValue))
  case "crop":
    return .bytes(
      Kernels.crop(
        image, x: try op.int("x"), y: try op.int("y"), height: try op.int("height"),
        width: try op.int("width")))
  case "center_crop":
    return .bytes(Kernels.centerCrop(image, height: try op.int("height"), width: try op.int("width")))
  case "resize":
    guard let method = ResizeMethod(rawValue: op.string("interpolation", "bilinear")) else {
      throw ProbeError("unknown resize interpolation \(op["interpolation"] ?? "")")
    }
    return .bytes(
      Kernels.resize(image, height: try op.int("height"), width: try op.int("width"), method: method))
  case "brightness":
    return .bytes(Kernels.adjustBrightness(image, delta: Float(try op.double("delta"))))
  case "contrast":
    return .bytes(Kernels.adjustContrast(image, factor: Float(try op.double("factor"))))
  case "saturation":
    return .bytes(Kernels.adjustSaturation(image, factor: Float(try op.double("factor"))))
  case "hue":
    return .bytes(Kernels.adjustHue(image, factor: Float(try op.double("factor"))))
  case "grayscale":
    return .bytes(Kernels.grayscale(image))
  case "erase":
    return .bytes(
      Kernels.erase(
        image, x: try op.int("x"), y: try op.int("y"), height: try op.int("height"),
        width: try op.int("width"), value: try op.floats("value").map { Kernels.toUInt8($0) }))
  case "invert":
    return .bytes(Kernels.invert(image, maximum: Float(try op.double("maximum", 255))))
  case "solarize":
    return .bytes(
      Kernels.solarize(
        image, addition: Float(try op.double("addition")), threshold: Float(try op.double("threshold"))))
  case "posterize":
    return .bytes(Kernels.posterize(image, shift: try op.int("shift")))
  case "degenerate":
    return .bytes(Kernels.degenerateColor(image, factor: Float(try op.double("factor"))))
  case "auto_contrast":
    return .bytes(Kernels.autoContrast(image))
  case "equalize":
    return .bytes(Kernels.equalize(image, bins: Int(try op.double("bins", 256))))
  case "clahe":
    return .bytes(
      Kernels.clahe(
        image, clipLimit: try op.double("clip_limit", 4), gridHeight: Int(try op.double("grid_height", 8)),
        gridWidth: Int(try op.double("grid_width", 8))))
  case "sharpen":
    return .bytes(Kernels.sharpen(image, factor: Float(try op.double("factor"))))
  case "color_jitter":
    func optional(_ key: String) -> Float? { (op[key] as? NSNumber).map(\.floatValue) }
    return .bytes(
      Kernels.colorJitter(
        image, rgbDelta: optional("rgb_delta"), contrastFactor: optional("contrast_factor"),
        saturationFactor: optional("saturation_factor"), hueFactor: optional("hue_factor")))
  case "pipeline":
    // A whole pipeline (JSON text in "spec"): draws the record of (seed, sample_key, epoch) for this
    // image, applies it as `materialize` does, and writes the record's JSON to "record_output".
    guard let text = op["spec"] as? String else { throw ProbeError("pipeline: needs \"spec\" text") }
    let spec = try PipelineSpec(json: text)
    let key = SampleKey(rawValue: UInt64(try op.double("sample_key")))
    let record = try spec.drawRecord(
      seed: UInt64(try op.double("seed")), sampleKey: key, epoch: try op.int("epoch"),
      imageSize: ImageSize(height: image.height, width: image.width))
    if let path = op["record_output"] as? String {
      guard FileManager.default.createFile(atPath: path, contents: Data(record.jsonString.utf8)) else {
        throw ProbeError("cannot write \(path)")
      }
    }
    let result = try spec.apply(record, to: image)
    guard case .uint8(let pixels) = result.values, result.shape.count == 3 else {
      throw ProbeError("pipeline: expected a uint8 channels-last output")
    }
    return .bytes(
      Tensor(height: result.shape[0], width: result.shape[1], channels: result.shape[2], pixels: pixels))
  case "rescale":
    return .floats(
      Kernels.rescale(image, scale: Float(try op.double("scale")), offset: Float(try op.double("offset", 0))),
      shape: shape)
  case "normalize":
    return .floats(
      Kernels.normalize(image, mean: try op.floats("mean"), variance: try op.floats("variance")), shape: shape
    )
  default:
    throw ProbeError("unknown op \"\(name)\"")
  }
}

/// Applies a list of ops; with `fuse`, runs of consecutive geometric ops become one affine pass sampled
/// with the last op's options.
func run(_ ops: [[String: Any]], on input: Tensor, fuse: Bool) throws -> Value {
  var value = Value.bytes(input)
  var index = 0
  while index < ops.count {
    if fuse, case .bytes(let image) = value,
      var combined = try matrix(of: ops[index], height: image.height, width: image.width)
    {
      var last = ops[index]
      index += 1
      while index < ops.count,
        let next = try matrix(of: ops[index], height: image.height, width: image.width)
      {
        combined = combined.followed(by: next)
        last = ops[index]
        index += 1
      }
      let sampling = try Sampling(last)
      value = .bytes(
        Kernels.affine(
          image, combined, interpolation: sampling.interpolation, fillMode: sampling.fillMode,
          fillValue: sampling.fillValue))
      continue
    }
    value = try apply(ops[index], to: value)
    index += 1
  }
  return value
}

func runCases(_ path: String) throws {
  guard let data = FileManager.default.contents(atPath: path) else { throw ProbeError("cannot read \(path)") }
  let json = try JSONSerialization.jsonObject(with: data)
  let cases: [[String: Any]]
  if let list = json as? [[String: Any]] {
    cases = list
  } else if let object = json as? [String: Any], let list = object["cases"] as? [[String: Any]] {
    cases = list
  } else {
    throw ProbeError("\(path): expected a list of cases or {\"cases\": [...]}")
  }
  let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
  func resolve(_ name: String) -> String {
    name.hasPrefix("/") ? name : folder.appendingPathComponent(name).path
  }
  for (number, entry) in cases.enumerated() {
    guard let input = entry["input"] as? String, let output = entry["output"] as? String else {
      throw ProbeError("case \(number): needs \"input\" and \"output\"")
    }
    let ops = entry["ops"] as? [[String: Any]] ?? []
    do {
      let result = try run(ops, on: try readNPY(resolve(input)), fuse: entry.bool("fuse", false))
      try writeValue(result, to: resolve(output))
    } catch {
      throw ProbeError("case \(number) (\(input)): \(error)")
    }
  }
  print("\(cases.count) cases")
}

/// Times one kernel over the images, repeating until `seconds` pass; returns images per second of
/// wall-clock time, or of this thread's CPU time with `cpuClock` (steadier on a shared machine).
func measure(_ images: [Tensor], seconds: Double, cpuClock: Bool = false, _ body: (Tensor) -> Int) -> Double {
  let clock = ContinuousClock()
  var sink = 0
  var count = 0
  for image in images { sink &+= body(image) }  // warm-up
  let start = clock.now
  let cpuStart = threadCPUSeconds()
  var elapsed = Duration.zero
  repeat {
    for image in images { sink &+= body(image) }
    count += images.count
    elapsed = clock.now - start
  } while elapsed < .milliseconds(Int64(seconds * 1000))
  if sink == 42 { print("", terminator: "") }
  if cpuClock { return Double(count) / (threadCPUSeconds() - cpuStart) }
  let (s, atto) = elapsed.components
  return Double(count) / (Double(s) + Double(atto) * 1e-18)
}

func bench(_ arguments: [String]) throws {
  var seconds = 1.0
  var asJSON = false
  var only: Set<String>? = nil
  var cpuClock = false
  var paths: [String] = []
  var iterator = arguments.makeIterator()
  while let argument = iterator.next() {
    switch argument {
    case "--seconds":
      guard let text = iterator.next(), let value = Double(text) else { throw ProbeError("--seconds N") }
      seconds = value
    case "--json": asJSON = true
    case "--cpu-clock": cpuClock = true
    case "--only":
      guard let text = iterator.next() else { throw ProbeError("--only NAME[,NAME...]") }
      only = Set(text.split(separator: ",").map(String.init))
    default: paths.append(argument)
    }
  }
  let images = try paths.map(readNPY)
  guard let first = images.first else { throw ProbeError("bench: give at least one .npy image") }
  let h = first.height
  let w = first.width
  let kernels: [(String, (Tensor) -> Int)] = [
    ("flip", { Int(Kernels.flip($0, horizontal: true, vertical: false).pixels[0]) }),
    ("crop", { Int(Kernels.crop($0, x: 16, y: 16, height: h - 32, width: w - 32).pixels[0]) }),
    (
      "rotation_bilinear",
      {
        Int(
          Kernels.affine(
            $0, .rotation(degrees: 12.5, height: $0.height, width: $0.width), interpolation: .bilinear,
            fillMode: .reflect
          ).pixels[0])
      }
    ),
    (
      "rotation_constant",
      {
        Int(
          Kernels.affine(
            $0, .rotation(degrees: 12.5, height: $0.height, width: $0.width), interpolation: .bilinear,
            fillMode: .constant
          ).pixels[0])
      }
    ),
    (
      "zoom",
      {
        Int(
          Kernels.affine(
            $0, .zoom(heightZoom: 0.8, widthZoom: 0.9, height: $0.height, width: $0.width),
            interpolation: .bilinear, fillMode: .reflect
          ).pixels[0])
      }
    ),
    (
      "translation",
      {
        Int(
          Kernels.affine($0, .translation(x: 10.3, y: -7.6), interpolation: .bilinear, fillMode: .reflect)
            .pixels[0])
      }
    ),
    (
      "shear",
      {
        Int(
          Kernels.affine($0, .shear(x: 0.2, y: -0.1), interpolation: .bilinear, fillMode: .reflect).pixels[0])
      }
    ),
    (
      "gaussian_blur",
      {
        Int(Kernels.gaussianBlur($0, kernelHeight: 5, kernelWidth: 5, sigmaX: 1.0, sigmaY: 1.0).pixels[0])
      }
    ),
    (
      "perspective",
      {
        let right = Float($0.width - 1)
        let bottom = Float($0.height - 1)
        let start: [(x: Float, y: Float)] = [(0, 0), (right, 0), (0, bottom), (right, bottom)]
        let end: [(x: Float, y: Float)] = [
          (0, 0), (right * 0.9, bottom * 0.05), (right * 0.08, bottom * 0.95), (right * 1.05, bottom * 0.9),
        ]
        guard let transform = ProjectiveTransform.homography(start: start, end: end) else { return 0 }
        return Int(Kernels.perspective($0, transform, interpolation: .bilinear).pixels[0])
      }
    ),
    (
      "elastic",
      {
        let parameters = ElasticParameters(height: $0.height, width: $0.width, distortionFactor: 0.5)
        let noise = ElasticNoise.field(seed: 0x1234_5678, count: $0.height * $0.width)
        let displacement = Kernels.elasticDisplacement(
          noise: noise, height: $0.height, width: $0.width, parameters: parameters)
        return Int(
          Kernels.elasticTransform(
            $0, displacement: displacement, alpha: parameters.alpha, interpolation: .bilinear,
            fillMode: .reflect, fillValue: 0
          ).pixels[0])
      }
    ),
    ("resize", { Int(Kernels.resize($0, height: 160, width: 160, method: .bilinear).pixels[0]) }),
    ("resize_224", { Int(Kernels.resize($0, height: 224, width: 224, method: .bilinear).pixels[0]) }),
    ("brightness", { Int(Kernels.adjustBrightness($0, delta: 25.5).pixels[0]) }),
    ("contrast", { Int(Kernels.adjustContrast($0, factor: 1.3).pixels[0]) }),
    ("saturation", { Int(Kernels.adjustSaturation($0, factor: 1.5).pixels[0]) }),
    ("hue", { Int(Kernels.adjustHue($0, factor: 0.1).pixels[0]) }),
    ("invert", { Int(Kernels.invert($0).pixels[0]) }),
    ("solarize", { Int(Kernels.solarize($0, addition: 0, threshold: 128).pixels[0]) }),
    ("posterize", { Int(Kernels.posterize($0, shift: 4).pixels[0]) }),
    ("degenerate", { Int(Kernels.degenerateColor($0, factor: 0.5).pixels[0]) }),
    ("auto_contrast", { Int(Kernels.autoContrast($0).pixels[0]) }),
    ("equalize", { Int(Kernels.equalize($0, bins: 256).pixels[0]) }),
    ("clahe", { Int(Kernels.clahe($0, clipLimit: 4, gridHeight: 8, gridWidth: 8).pixels[0]) }),
    ("sharpen", { Int(Kernels.sharpen($0, factor: 0.9).pixels[0]) }),
    (
      "color_jitter",
      {
        Int(
          Kernels.colorJitter(
            $0, rgbDelta: 25.5, contrastFactor: 1.3, saturationFactor: 1.5, hueFactor: 0.1
          ).pixels[0])
      }
    ),
    (
      "normalization",
      {
        Kernels.normalize($0, mean: [123.675, 116.28, 103.53], variance: [3409.98, 3262.69, 3291.60])[0]
          .isFinite ? 1 : 0
      }
    ),
  ]
  var results: [String: Double] = [:]
  for (name, body) in kernels where only?.contains(name) ?? true {
    let rate = measure(images, seconds: seconds, cpuClock: cpuClock, body)
    results[name] = rate
    if !asJSON {
      print(name.padding(toLength: 20, withPad: " ", startingAt: 0), String(format: "%10.0f", rate))
    }
  }
  if asJSON {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  }
}

/// CPU time consumed by the calling thread so far.
func threadCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Reads every image (PNG or JPEG) into memory once, then decodes the whole list `repeat` times on
/// this thread with decoder version `--decoder` (default: the current one) and reports megapixels
/// per wall-clock and per thread-CPU second over the timed passes (one untimed warm-up pass first).
func decodeBench(_ arguments: [String]) throws {
  var repeats = 3
  var asJSON = false
  var decoder = DecoderVersion.current
  var paths: [String] = []
  var iterator = arguments.makeIterator()
  while let argument = iterator.next() {
    switch argument {
    case "--repeat":
      guard let text = iterator.next(), let value = Int(text), value >= 1 else {
        throw ProbeError("--repeat N")
      }
      repeats = value
    case "--decoder":
      guard let text = iterator.next(), let value = Int(text).flatMap(DecoderVersion.init(rawValue:)) else {
        throw ProbeError("--decoder 1|2")
      }
      decoder = value
    case "--json": asJSON = true
    default: paths.append(argument)
    }
  }
  guard !paths.isEmpty else { throw ProbeError("decode: give at least one .png or .jpg file") }
  let files: [[UInt8]] = try paths.map { path in
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ProbeError("cannot read \(path)")
    }
    return [UInt8](data)
  }
  var pixels = 0
  var sink = 0
  for file in files {  // warm-up, and the pixel count of one pass
    let tensor = try ImageDecoder.decode(file, version: decoder)
    pixels += tensor.height * tensor.width
    sink &+= Int(tensor.pixels[0])
  }
  let clock = ContinuousClock()
  let cpuStart = threadCPUSeconds()
  let start = clock.now
  for _ in 0..<repeats {
    for file in files { sink &+= Int(try ImageDecoder.decode(file, version: decoder).pixels[0]) }
  }
  let (s, atto) = (clock.now - start).components
  let cpuSeconds = threadCPUSeconds() - cpuStart
  let seconds = Double(s) + Double(atto) * 1e-18
  if sink == 42 { print("", terminator: "") }
  let megapixelsPerSecond = Double(pixels * repeats) / seconds / 1e6
  let imagesPerSecond = Double(files.count * repeats) / seconds
  if asJSON {
    let object: [String: Any] = [
      "files": files.count, "repeat": repeats, "seconds": seconds, "megapixels": Double(pixels) / 1e6,
      "mp_per_s": megapixelsPerSecond, "images_per_s": imagesPerSecond, "cpu_seconds": cpuSeconds,
      "mp_per_cpu_s": Double(pixels * repeats) / cpuSeconds / 1e6,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  } else {
    print(
      String(
        format: "%d files x %d: %.1f MP/s, %.0f images/s", files.count, repeats, megapixelsPerSecond,
        imagesPerSecond))
  }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
  switch arguments.first {
  case "run" where arguments.count == 2: try runCases(arguments[1])
  case "bench": try bench(Array(arguments.dropFirst()))
  case "decode": try decodeBench(Array(arguments.dropFirst()))
  default:
    FileHandle.standardError.write(
      Data(
        """
        usage: kernel-probe run CASES.json | kernel-probe bench [--seconds S] [--cpu-clock] [--json] [--only NAME,...] IMAGE.npy... \
        | kernel-probe decode [--repeat N] [--json] IMAGE.png...

        """.utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("kernel-probe: \(error)\n".utf8))
  exit(1)
}

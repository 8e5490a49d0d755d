// image-probe: decodes image files with augstore's decoders and writes the pixels as .npy files, so
// Python scripts (Tools/jpeg-parity) can compare them with Pillow, OpenCV or TensorFlow.
//
//   image-probe --out DIR [--budget PIXELS] [--decoder-version N] [--list FILE] IMAGE...
//
// Each image is recognised by signature (PNG: 89 50 4E 47 0D 0A 1A 0A, JPEG: FF D8 FF), never by
// extension, and decoded by ImageDecoder with decoder version N (default: the current one, i.e. PNG
// samples as stored, JPEG through libjpeg-turbo; 1 = libpng's simplified API, PNG only).
// DIR/<file name without extension>.npy receives a uint8 (H, W, C) array. `--list FILE` adds the paths
// in FILE (one per line). stdout gets one line per image: `ok PATH HxWxC` or `error PATH: message`; the
// exit code is 1 when any image failed to decode, 2 on usage errors.
import AugStoreImaging
import Foundation

/// A usage error with a message for stderr.
struct UsageError: Error {
  let message: String
}

/// The command line, parsed.
struct Options {
  var output = ""
  var budget = PNGDecoder.defaultPixelBudget
  var version = DecoderVersion.current
  var paths: [String] = []

  static func parse(_ arguments: [String]) throws -> Options {
    var options = Options()
    var rest = arguments[...]
    while let argument = rest.popFirst() {
      switch argument {
      case "--out":
        guard let value = rest.popFirst() else { throw UsageError(message: "--out needs a folder") }
        options.output = value
      case "--budget":
        guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else {
          throw UsageError(message: "--budget needs a positive pixel count")
        }
        options.budget = value
      case "--decoder-version":
        guard let value = rest.popFirst().flatMap({ Int($0) }).flatMap({ DecoderVersion(rawValue: $0) })
        else {
          throw UsageError(
            message: "--decoder-version needs one of \(DecoderVersion.allCases.map(\.rawValue))")
        }
        options.version = value
      case "--list":
        guard let value = rest.popFirst(), let text = try? String(contentsOfFile: value, encoding: .utf8)
        else {
          throw UsageError(message: "--list needs a readable file")
        }
        options.paths += text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
      case "-h", "--help":
        throw UsageError(
          message:
            "usage: image-probe --out DIR [--budget PIXELS] [--decoder-version N] [--list FILE] IMAGE...")
      default:
        guard !argument.hasPrefix("--") else { throw UsageError(message: "unknown option \(argument)") }
        options.paths.append(argument)
      }
    }
    guard !options.output.isEmpty else { throw UsageError(message: "--out DIR is required") }
    return options
  }
}

/// A one-line description of `error`.
func describe(_ error: Error) -> String {
  if let usage = error as? UsageError { return usage.message }
  return (error as? LocalizedError)?.errorDescription ?? "\(error)"
}

let options: Options
do {
  options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
  FileHandle.standardError.write(Data("image-probe: \(describe(error))\n".utf8))
  exit(2)
}
do {
  try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
} catch {
  FileHandle.standardError.write(Data("image-probe: cannot create \(options.output)\n".utf8))
  exit(2)
}
var failures = 0
for path in options.paths {
  do {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw UsageError(message: "cannot read the file")
    }
    let tensor = try ImageDecoder.decode([UInt8](data), pixelBudget: options.budget, version: options.version)
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".npy"
    let target = URL(fileURLWithPath: options.output).appendingPathComponent(name).path
    guard FileManager.default.createFile(atPath: target, contents: Data(NPY.encode(tensor))) else {
      throw UsageError(message: "cannot write \(target)")
    }
    print("ok \(path) \(tensor.height)x\(tensor.width)x\(tensor.channels)")
  } catch {
    failures += 1
    print("error \(path): \(describe(error))")
  }
}
exit(failures == 0 ? 0 : 1)

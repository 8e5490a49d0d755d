import AugStoreTransforms

/// The image preprocessing layers of a saved Keras 3 model (`.keras`), converted into an augstore
/// pipeline spec.
///
/// Reads the archive's `config.json` (never the weights), flattens nested `Sequential` and `Pipeline`
/// blocks of preprocessing layers, and takes the model's leading preprocessing layers (all layers of a
/// `Sequential` made only of them). Each layer's config keys are Keras' argument names, which are
/// augstore's: arguments augstore takes are copied, `name`, `trainable`, `dtype`, `seed` and `autocast`
/// are ignored, and any other key must hold Keras' default. Every layer that cannot be converted is
/// named, with its reason, in one error.
public struct KerasModelImport: Sendable {
  /// The pipeline spec, as JSON text (`{"transforms": [...]}`), ready for ``Store/addPipeline(named:specJSON:source:)``.
  public let specJSON: String
  /// The converted layers' names in the model, in order.
  public let layerNames: [String]

  /// Every Keras 3 image preprocessing layer (keras.layers), whether augstore converts it or not.
  public static let preprocessingLayers: Set<String> = [
    "AutoContrast", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization",
    "MaxNumBoundingBoxes", "MixUp", "Normalization", "Pipeline", "RandAugment", "RandomBrightness",
    "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop", "RandomElasticTransform",
    "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation", "RandomSharpness",
    "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing", "Solarization", "AugMix",
  ]

  /// Config keys that do not change the pixels.
  static let ignoredKeys: Set<String> = ["name", "trainable", "dtype", "seed", "autocast", "data_format"]
  /// Config keys augstore does not take, accepted only at Keras' default values.
  static let defaultsOnly: [String: [String: [JSONValue]]] = [
    "Resizing": [
      "crop_to_aspect_ratio": [.bool(false)], "pad_to_aspect_ratio": [.bool(false)],
      "antialias": [.bool(false)],
      "fill_mode": [.string("constant")], "fill_value": [.number(0)],
    ],
    "Normalization": ["invert": [.bool(false)], "axis": [.number(-1), .array([.number(-1)])]],
  ]

  /// Reads the model at `path` and converts its leading preprocessing layers.
  ///
  /// - Throws: ``KerasImportError`` naming the file: not a zip, no `config.json`, no preprocessing
  ///   layers, or every layer that cannot be converted with its reason.
  public static func load(path: String) throws(KerasImportError) -> KerasModelImport {
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(path)
    } catch {
      if case .io(_, let message) = error { throw .unreadable(path: path, reason: message) }
      throw .unreadable(path: path, reason: error.localizedDescription)
    }
    return try convert(archive: bytes, path: path)
  }

  /// Converts the model held in `archive` (the bytes of a `.keras` file); `path` names it in errors.
  public static func convert(archive: [UInt8], path: String) throws(KerasImportError) -> KerasModelImport {
    let zip = try ZipArchive(bytes: archive, path: path)
    guard let config = try zip.member(named: "config.json") else { throw .missingConfig(path: path) }
    let model: JSONValue
    do {
      model = try JSONValue.parse(config)
    } catch {
      throw .invalidConfig(path: path, reason: error.message)
    }
    guard let className = model["class_name"]?.stringValue else {
      throw .invalidConfig(path: path, reason: "no class_name at the top level")
    }
    let top: [JSONValue] =
      preprocessingLayers.contains(className) && className != "Pipeline"
      ? [model] : (model["config"]?["layers"]?.arrayValue ?? [])
    var leading: [JSONValue] = []
    for layer in flatten(top) {
      guard let kind = layer["class_name"]?.stringValue, preprocessingLayers.contains(kind) else { break }
      leading.append(layer)
    }
    guard !leading.isEmpty else { throw .noPreprocessingLayers(path: path) }
    var transforms: [JSONValue] = []
    var names: [String] = []
    var problems: [KerasLayerProblem] = []
    for layer in leading {
      let kind = layer["class_name"]?.stringValue ?? ""
      let name = layer["config"]?["name"]?.stringValue ?? layer["name"]?.stringValue ?? kind
      switch convert(layer: layer, kind: kind) {
      case .success(let transform):
        transforms.append(transform)
        names.append(name)
      case .failure(let problem):
        problems.append(KerasLayerProblem(name: name, className: kind, reason: problem.reason))
      }
    }
    guard problems.isEmpty else { throw .unconvertibleLayers(path: path, problems: problems) }
    let spec = JSONValue.object([("transforms", .array(transforms))]).canonicalText()
    return KerasModelImport(specJSON: spec, layerNames: names)
  }

  struct Problem: Error {
    var reason: String
  }

  /// Nested `Sequential`/`Pipeline` blocks made only of preprocessing layers are opened; input layers go.
  static func flatten(_ layers: [JSONValue]) -> [JSONValue] {
    var flat: [JSONValue] = []
    for layer in layers {
      let kind = layer["class_name"]?.stringValue ?? ""
      if kind == "InputLayer" { continue }
      if kind == "Sequential" || kind == "Pipeline" || kind == "Functional" {
        let inner = layer["config"]?["layers"]?.arrayValue ?? []
        let opens = inner.allSatisfy { item in
          let itemKind = item["class_name"]?.stringValue ?? ""
          return preprocessingLayers.contains(itemKind) || itemKind == "InputLayer"
            || ["Sequential", "Pipeline", "Functional"].contains(itemKind)
        }
        if !inner.isEmpty && opens {
          flat += flatten(inner)
          continue
        }
      }
      flat.append(layer)
    }
    return flat
  }

  /// One layer as an augstore transform object, checked by the pipeline parser.
  static func convert(layer: JSONValue, kind: String) -> Result<JSONValue, Problem> {
    guard let allowed = TransformSpec.argumentNames[kind] else {
      return .failure(Problem(reason: "augstore has no \(kind) transform yet"))
    }
    guard case .object(let members)? = layer["config"] else {
      return .failure(Problem(reason: "the layer has no config object"))
    }
    var transform: [(key: String, value: JSONValue)] = [("type", .string(kind))]
    for (key, value) in members {
      if key == "data_format", value != .null, value != .string("channels_last") {
        return .failure(
          Problem(reason: "data_format=\(value.canonicalText()): augstore reads channels_last images"))
      }
      if ignoredKeys.contains(key) { continue }
      if allowed.contains(key) {
        if value == .null {
          if kind == "Normalization" {
            return .failure(
              Problem(
                reason: "\(key) is null: an adapted Normalization keeps it in its weights; "
                  + "build the layer with mean= and variance="))
          }
          if key == "width_factor" || (kind == "RandomErasing" && key == "fill_value") {
            transform.append((key, .null))
          }
          continue
        }
        transform.append((key, value))
      } else if let defaults = defaultsOnly[kind]?[key] {
        guard defaults.contains(value) else {
          return .failure(
            Problem(
              reason: "\(key)=\(value.canonicalText()) is not supported (only \(defaults[0].canonicalText()))"
            ))
        }
      } else {
        return .failure(Problem(reason: "argument \(key)=\(value.canonicalText()) is not supported"))
      }
    }
    let object = JSONValue.object(transform)
    do {
      _ = try PipelineSpec(json: JSONValue.object([("transforms", .array([object]))]).canonicalText())
    } catch {
      // "transforms[0] (RandomContrast): factor -0.5 is out of range [0, 1]" → the part after the prefix.
      let message = error.localizedDescription
      let prefix = "transforms[0] (\(kind)): "
      return .failure(
        Problem(reason: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message))
    }
    return .success(object)
  }
}

extension JSONValue {
  /// The member called `key` of an object, or nil.
  fileprivate subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  fileprivate var stringValue: String? {
    guard case .string(let value) = self else { return nil }
    return value
  }

  fileprivate var arrayValue: [JSONValue]? {
    guard case .array(let value) = self else { return nil }
    return value
  }
}

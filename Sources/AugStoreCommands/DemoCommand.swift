import ArgumentParser
import AugStore
import AugStoreImaging
import Foundation

/// `augstore demo`: augstore's main job on a small built-in dataset.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run augstore's main job on a small built-in dataset, step by step.",
    discussion: """
      Draws a small dataset of 32×32 pictures in code and registers it; stores a Keras-style \
      pipeline; creates a run; materializes three epochs; clears the cache and replays epoch 1, \
      checking every tensor against its recorded digest; shows one sample's history, the run's \
      statistics and a preview grid; registers a changed copy as v2 and diffs it. Everything goes \
      into --store (default: ./augstore-demo, never $AUGSTORE_STORE); running it again reuses \
      what is there.
      """
  )

  @OptionGroup var global: GlobalOptions

  static let pipelineSpec = """
    {
      "transforms": [
        {"type": "RandomFlip", "mode": "horizontal"},
        {"type": "RandomRotation", "factor": 0.1, "fill_mode": "reflect"},
        {"type": "RandomCrop", "height": 28, "width": 28},
        {"type": "RandomContrast", "factor": 0.2}
      ],
      "original_probability": 0.1
    }
    """

  func run() throws {
    let (store, _) = try Store.initialize(at: global.store ?? "augstore-demo")
    let root = store.root
    let images = root + "/demo-images"

    step(1, "Register a built-in dataset (3 classes × 8 pictures, drawn in code)")
    try DemoDataset.write(to: images + "/v1")
    let added = try store.addDataset(named: "shapes", from: images + "/v1")
    say(
      added.created
        ? "shapes@v\(added.version.number): \(added.version.sampleCount) samples, \(added.newObjects) new objects"
        : "shapes: unchanged, same content as v\(added.version.number)")

    step(2, "Store the augmentation pipeline (Keras 3 layer names)")
    try FileIO.write(Array(Self.pipelineSpec.utf8), to: images + "/pipeline.json")
    let pipeline = try store.addPipeline(
      named: "shapes-aug", specJSON: Array(Self.pipelineSpec.utf8), source: images + "/pipeline.json")
    if case .created(let stored) = pipeline {
      say("shapes-aug@v\(stored.version): fingerprint \(stored.fingerprint.prefix(16))")
    } else {
      say("shapes-aug: unchanged")
    }

    step(3, "Create run demo (seed 2026) and materialize epochs 0-2")
    if (try? store.runDetails(named: "demo")) == nil {
      _ = try store.createRun(
        named: "demo", dataset: DatasetReference(name: "shapes", selector: .number(1)),
        pipeline: PipelineReference(parsing: "shapes-aug"), seed: 2026, shuffle: true)
    }
    let materialized = try store.materialize(run: "demo", epochs: EpochSelection([0, 1, 2]))
    for epoch in materialized.epochs {
      say(
        "epoch \(epoch.epoch): \(epoch.samples) tensors (\(epoch.computed) computed, \(epoch.cached) from the cache)"
      )
    }

    step(4, "Clear the cache, replay epoch 1 from the records, and check every tensor")
    _ = try store.clearCache()
    let replayFolder = root + "/demo-replay"
    let replayed = try store.replay(run: "demo", epoch: 1, selection: .all, to: replayFolder)
    say(
      "\(replayed.samples.count) tensors rebuilt into \(replayFolder), every one equal to its recorded digest"
    )
    let batch = try store.replay(
      run: "demo", epoch: 1, selection: .batch(index: 0, size: 8), to: replayFolder)
    say("batch 0 of epoch 1: \(batch.files.joined(separator: ", "))")

    step(5, "History: what sample 3 got in every epoch")
    let history = try store.history(run: "demo", sample: "3")
    say("\(history.sample.path) [\(history.sample.label ?? "-")]")
    for record in history.epochs {
      let params =
        record.record.original
        ? "original"
        : zip(history.transforms, record.record.params).map { name, params in
          "\(name)(" + params.fields.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
        }.joined(separator: " ")
      say("epoch \(record.epoch)  position \(record.position)  \(params)")
    }

    step(6, "Statistics: did the model ever see the original images?")
    let stats = try store.stats(run: "demo")
    say(
      "\(stats.records) records over epochs \(stats.epochs.map(String.init).joined(separator: ",")): "
        + "\(stats.originalRecords) originals drawn, \(stats.neverOriginal) of \(stats.samples) samples never "
        + "saw their original image")
    for transform in stats.transforms {
      say("\(transform.type): changed the image in \(transform.changed) of \(transform.applied) records")
    }

    step(7, "Preview sample 3: the original beside epochs 0-2")
    let preview = try store.preview(run: "demo", sample: "3", epochs: EpochSelection([0, 1, 2]))
    try FileIO.write(preview, to: root + "/demo-preview.png")
    say("wrote \(root)/demo-preview.png")

    step(8, "Register a changed copy of the dataset and diff the versions")
    try DemoDataset.write(to: images + "/v2", variant: 1)
    let second = try store.addDataset(
      named: "shapes", from: images + "/v2", options: DatasetAddOptions(message: "redrawn"))
    let diff = try store.diff(
      DatasetReference(name: "shapes", selector: .number(1)),
      DatasetReference(name: "shapes", selector: .number(second.version.number)))
    say(
      "shapes@v\(second.version.number): \(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed"
    )

    step(9, "Verify the store")
    let report = try store.verify()
    say(
      "\(report.objectsChecked) objects and \(report.cacheEntriesChecked) cache entries checked: "
        + (report.isClean ? "sound" : "\(report.problems.count) problems"))
    guard report.isClean else { throw ExitCode.failure }
    print("\nDone. Explore: augstore --store \(root) history demo --sample 3 --json")
  }

  private func step(_ number: Int, _ text: String) {
    print("\n\(number). \(text)")
  }

  private func say(_ text: String) {
    print("   " + text)
  }
}

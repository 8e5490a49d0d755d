import AugStore
import AugStoreImaging
import AugStoreTestSupport
import Foundation
import Testing

/// `dataset add --labels-file` through the real binary, on real PNG files and a real SQLite store.
@Suite struct LabelsFileCLITests {
  /// Image path → label: flat files and a sub-folder whose name is not the label.
  static let labels: [(path: String, label: String)] = [
    ("a.png", "cat, tabby"), ("b.png", "dog"), ("c.PNG", "cat, tabby"), ("d.png", "bird \"tweety\""),
    ("more/e.png", "dog"), ("more/f.png", "bird \"tweety\""),
  ]

  let folder: TemporaryDirectory
  let store: String
  let source: String
  let csv: String

  init() throws {
    folder = try TemporaryDirectory()
    store = folder.appending("store")
    source = folder.appending("images")
    csv = folder.appending("labels.csv")
    for (index, entry) in Self.labels.enumerated() {
      try Files.write(try ImageFolder.png(seed: 100 + index), to: source + "/" + entry.path)
    }
    try Files.write(Array("not an image".utf8), to: source + "/README.txt")
    let initialized = try CLI.run(["init", store])
    guard initialized.status == 0 else { throw CLIFailure(arguments: ["init"], outcome: initialized) }
  }

  /// RFC 4180 text: a BOM, CRLF line ends, quoted fields with commas and quotes, an extra column.
  static func csvText(_ rows: [(path: String, label: String)]) -> String {
    let quoted = { (text: String) in "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    return "\u{FEFF}id,path,label\r\n"
      + rows.enumerated().map { "\($0.offset),\(quoted($0.element.path)),\(quoted($0.element.label))\r\n" }
      .joined()
  }

  func writeLabels(_ text: String) throws {
    try Files.write(Array(text.utf8), to: csv)
  }

  func add(_ extra: [String] = []) throws -> CLI.Outcome {
    try CLI.run(["dataset", "add", "pets", "--from", source, "--labels-file", csv, "--store", store] + extra)
  }

  func json(_ arguments: [String]) throws -> [String: Any] {
    try CLI.json(arguments + ["--store", store]) as? [String: Any] ?? [:]
  }

  @Test func labelsFromTheFileShowEverywhere() throws {
    try writeLabels(Self.csvText(Self.labels))
    let added = try json(["dataset", "add", "pets", "--from", source, "--labels-file", csv])
    #expect(added["version"] as? Int == 1 && added["samples"] as? Int == 6)
    #expect(added["labels"] as? String == "file" && added["labels_file"] as? String == csv)
    #expect(added["ignored_files"] as? Int == 1)

    let shown = try json(["dataset", "show", "pets@v1", "--samples"])
    #expect(
      shown["labels"] as? [String: Int] == ["cat, tabby": 2, "dog": 2, "bird \"tweety\"": 2]
        && shown["unlabelled"] as? Int == 0)
    let listed = shown["sample_list"] as? [[String: Any]] ?? []
    let expected = Dictionary(uniqueKeysWithValues: Self.labels.map { ($0.path, $0.label) })
    #expect(listed.count == 6)
    for sample in listed {
      let path = sample["path"] as? String ?? "?"
      #expect(sample["label"] as? String == expected[path], "\(path)")
    }

    // A run over it: history, replayed batches and the loader's batches carry the file's labels.
    try Files.write(
      Array(#"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}]}"#.utf8),
      to: folder.appending("aug.json"))
    for arguments in [
      ["pipeline", "add", "aug", "--spec", folder.appending("aug.json")],
      ["run", "create", "r", "--dataset", "pets@v1", "--pipeline", "aug", "--seed", "3"],
      ["record", "r", "--epochs", "0"],
    ] {
      let outcome = try CLI.run(arguments + ["--store", store])
      #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
    }
    let history = try json(["history", "r", "--sample", "more/f.png"])
    #expect((history["sample"] as? [String: Any])?["label"] as? String == "bird \"tweety\"")

    let out = folder.appending("batch")
    let replayed = try CLI.run([
      "replay", "r", "--epoch", "0", "--batch", "0", "--batch-size", "6", "--out", out, "--store", store,
    ])
    #expect(replayed.status == 0, "\(replayed.stderr)")
    let classes = ["bird \"tweety\"", "cat, tabby", "dog"]
    let entries =
      try JSONSerialization.jsonObject(with: Data(try Files.read(out + "/samples.json"))) as? [[String: Any]]
      ?? []
    let paths = entries.map { $0["path"] as? String ?? "?" }
    #expect(Set(paths) == Set(expected.keys))
    let labelArray = try NPY.decode(Files.read(out + "/labels.npy"))
    #expect(labelArray.shape == [6] && labelArray.dtype == .int64)
    let indexes: [Int64] = stride(from: 0, to: labelArray.data.count, by: 8).map { start in
      var value: UInt64 = 0
      for byte in labelArray.data[start..<start + 8].reversed() { value = value << 8 | UInt64(byte) }
      return Int64(bitPattern: value)
    }
    #expect(indexes == paths.map { path in Int64(classes.firstIndex(of: expected[path] ?? "") ?? -9) })

    let feed = try BatchFeed(store: Store(opening: store), run: "r", jobs: 1)
    #expect(feed.labels == classes)
    let batch = try feed.batch(
      epoch: 0, index: 0, plan: BatchPlan(sampleCount: 6, batchSize: 6), delivery: .streaming)
    #expect(batch.paths == paths && batch.labels == indexes)
  }

  @Test func sameLabelsMakeNoVersionAndARelabelIsAChange() throws {
    try writeLabels(Self.csvText(Self.labels))
    #expect(try add().status == 0)

    try writeLabels(Self.csvText(Array(Self.labels.reversed())).replacingOccurrences(of: "\r\n", with: "\n"))
    let same = try add()
    #expect(same.status == 0 && same.stdout.contains("unchanged"), "\(same.stderr)")

    var relabelled = Self.labels
    relabelled[1].label = "wolf"
    try writeLabels(Self.csvText(relabelled))
    let changed = try add()
    #expect(changed.status == 0 && changed.stdout.contains("pets@v2"), "\(changed.stderr)")
    #expect(changed.stdout.contains("0 new objects (labels: from \(csv))"))
    let diff = try json(["dataset", "diff", "pets@v1", "pets@v2"])
    #expect(diff["added"] as? [String] == [] && diff["removed"] as? [String] == [])
    #expect(diff["changed"] as? [String] == ["b.png"])
    let text = try CLI.run(["dataset", "diff", "pets@v1", "pets@v2", "--store", store])
    #expect(text.stdout == "M  b.png\n0 added, 0 removed, 1 changed\n")
  }

  @Test func aMismatchListsEveryProblemAndChangesNothing() throws {
    let catalogBefore = try CatalogDump.dump(store + "/catalog.sqlite")
    try writeLabels(
      "path,label\na.png,cat\nb.png,dog\nc.PNG,\nghost.png,dog\nb.png,dog\nmore\\e.png,dog\n")
    let failed = try add()
    #expect(failed.status == 1 && failed.stdout.isEmpty)
    #expect(
      failed.stderr == """
        augstore: error: \(csv): 7 problems, nothing registered (use --skip-invalid to skip the images without a row):
          line 4: c.PNG: empty label
          line 5: ghost.png: no such image
          line 6: b.png: listed twice (first on line 3)
          line 7: more\\e.png: no such image (paths are /-separated)
          d.png: no row in the labels file
          more/e.png: no row in the labels file
          more/f.png: no row in the labels file

        """)
    #expect(try CatalogDump.dump(store + "/catalog.sqlite") == catalogBefore)
    #expect(Files.list(store + "/objects").isEmpty && Files.list(store + "/tmp").isEmpty)
  }

  @Test func skipInvalidSkipsImagesWithoutARowButNotRowsWithoutAnImage() throws {
    try writeLabels("path,label\na.png,cat\nmore/e.png,dog\n")
    let skipped = try add(["--skip-invalid"])
    #expect(skipped.status == 0, "\(skipped.stderr)")
    for path in ["b.png", "c.PNG", "d.png", "more/f.png"] {
      #expect(skipped.stderr.contains("augstore: skipped \(path): no row in labels.csv"))
    }
    let shown = try json(["dataset", "show", "pets"])
    #expect(shown["samples"] as? Int == 2 && shown["labels"] as? [String: Int] == ["cat": 1, "dog": 1])

    try writeLabels("path,label\na.png,cat\nmore/e.png,dog\nmore/g.png,dog\n")
    let ghost = try add(["--skip-invalid"])
    #expect(ghost.status == 1)
    #expect(
      ghost.stderr
        == "augstore: error: \(csv): 1 problem, nothing registered:\n  line 4: more/g.png: no such image\n")
  }

  /// Files that cannot be read or parsed: one line naming the file (and line), exit 1.
  @Test(arguments: [
    ("path,label\na.png,\"cat\n", "line 2: a quoted field opened on this line is never closed"),
    ("name,label\na.png,cat\n", "line 1: no \"path\" column"),
    ("path,label\na.png,ca\"t\n", "line 2: a quote inside an unquoted field"),
    ("", "line 1: empty file"),
  ])
  func unparseableFilesAreOneLineNamingTheLine(text: String, message: String) throws {
    try writeLabels(text)
    let failed = try add()
    #expect(failed.status == 1)
    #expect(failed.stderr.hasPrefix("augstore: error: \(csv): \(message)"), "\(failed.stderr)")
    #expect(failed.stderr.split(separator: "\n").count == 1)
    #expect(Files.list(store + "/objects").isEmpty)
  }

  @Test func aMissingLabelsFileIsOneLine() throws {
    let failed = try add()
    #expect(failed.status == 1)
    #expect(failed.stderr.hasPrefix("augstore: error: \(csv): cannot read: "))
    #expect(failed.stderr.split(separator: "\n").count == 1)
  }

  @Test func labelsAndLabelsFileAreAUsageError() throws {
    try writeLabels(Self.csvText(Self.labels))
    for mode in ["folders", "none"] {
      let both = try add(["--labels", mode])
      #expect(both.status == 2 && both.stderr.contains("--labels and --labels-file cannot be used together"))
    }
    let fileMode = try CLI.run([
      "dataset", "add", "pets", "--from", source, "--labels", "file", "--store", store,
    ])
    #expect(fileMode.status == 2)
    let help = try CLI.run(["dataset", "add", "--help"])
    #expect(help.status == 0 && help.stdout.contains("--labels-file"))
    #expect(Files.list(store + "/objects").isEmpty)
  }

  @Test func aFolderWithoutImagesNamesTheExtensions() throws {
    let empty = folder.appending("empty")
    try Files.write(Array("x".utf8), to: empty + "/notes.txt")
    let failed = try CLI.run(["dataset", "add", "x", "--from", empty, "--store", store])
    #expect(
      failed.status == 1 && failed.stderr == "augstore: error: \(empty): no .png, .jpg or .jpeg files found\n"
    )
  }
}

import AugStoreCatalog
import AugStoreTestSupport
import Foundation
import Testing

@testable import AugStore

/// The labels CSV parser and the matching of its rows to a folder's images.
@Suite struct LabelsFileTests {
  static let expected = [
    LabelsRow(line: 2, path: "a.png", label: "cat"),
    LabelsRow(line: 3, path: "sub/b.png", label: "dog"),
  ]

  static func parse(_ text: String) throws -> ParsedLabels {
    try LabelsFile.parse(Array(text.utf8), path: "labels.csv")
  }

  /// The same two rows however the lines end, with or without a BOM or a trailing line end.
  @Test(arguments: [
    "path,label\na.png,cat\nsub/b.png,dog\n",
    "path,label\na.png,cat\nsub/b.png,dog",
    "path,label\r\na.png,cat\r\nsub/b.png,dog\r\n",
    "path,label\ra.png,cat\rsub/b.png,dog\r",
    "\u{FEFF}path,label\r\na.png,cat\r\nsub/b.png,dog\r\n",
    "\"path\",\"label\"\n\"a.png\",\"cat\"\n\"sub/b.png\",\"dog\"\n",
    "path , label\na.png, cat\nsub/b.png ,\tdog\n",
  ])
  func lineEndsBOMAndQuotesGiveTheSameRows(text: String) throws {
    let parsed = try Self.parse(text)
    #expect(parsed.rows == Self.expected)
    #expect(parsed.problems.isEmpty)
  }

  @Test func otherColumnsAreIgnoredInAnyOrder() throws {
    let parsed = try Self.parse("id,label,source,path\n1,cat,web,a.png\n2,dog,,sub/b.png\n")
    #expect(parsed.rows == Self.expected)
  }

  @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
    let text = """
      path,label,note\r
      "a,1.png","cat, tabby","say ""hi""\"\r
      b.png,dog,"two\r
      lines"\r
      "c ""q"".png",,x\r
      d.png,"",\r
      e.png,bird,\r

      """
    let parsed = try Self.parse(text)
    #expect(
      parsed.rows == [
        LabelsRow(line: 2, path: "a,1.png", label: "cat, tabby"),
        LabelsRow(line: 3, path: "b.png", label: "dog"),
        LabelsRow(line: 7, path: "e.png", label: "bird"),
      ])
    #expect(
      parsed.problems == [
        LabelsProblem(line: 5, path: "c \"q\".png", reason: "empty label"),
        LabelsProblem(line: 6, path: "d.png", reason: "empty label"),
      ])
  }

  @Test func blankLinesAreSkippedAndLinesStillCount() throws {
    let parsed = try Self.parse("\n\npath,label\n\na.png,cat\n\n\nb.png,dog\n\n")
    #expect(
      parsed.rows == [
        LabelsRow(line: 5, path: "a.png", label: "cat"), LabelsRow(line: 8, path: "b.png", label: "dog"),
      ])
  }

  @Test func rowProblemsAreCollectedWithTheirLines() throws {
    let parsed = try Self.parse(
      "path,label\na.png,cat\nb.png,dog,extra\nc.png\n,bird\nd.png,   \na.png,cat\ne.png,x\u{7}y\n")
    #expect(parsed.rows == [LabelsRow(line: 2, path: "a.png", label: "cat")])
    #expect(
      parsed.problems.map(\.description) == [
        "line 3: 3 fields, the header has 2 (enclose values that hold a comma in quotes)",
        "line 4: 1 field, the header has 2 (enclose values that hold a comma in quotes)",
        "line 5: empty path",
        "line 6: d.png: empty label",
        "line 7: a.png: listed twice (first on line 2)",
        "line 8: e.png: the label holds a control character",
      ])
  }

  /// Files that cannot be split into rows, or lack a column: one error naming the line.
  @Test(arguments: [
    ("path,label\na.png,\"cat\nb.png,dog\n", 2, "a quoted field opened on this line is never closed"),
    (
      "path,label\na.png,\"cat\"s\n", 2,
      "text after a closing quote (a quote inside a quoted field is written twice)"
    ),
    (
      "path,label\na.png,cat\nb.png,5\" dog\n", 3,
      "a quote inside an unquoted field (enclose the field in quotes and write the quote twice)"
    ),
    ("", 1, "empty file; the first row must be a header naming the path and label columns"),
    ("\u{FEFF}\r\n\r\n", 1, "empty file; the first row must be a header naming the path and label columns"),
    (
      "file,label\na.png,cat\n", 1,
      "no \"path\" column; the first row must be a header naming the path and label columns (it is: file,label)"
    ),
    (
      "a.png,cat\nb.png,dog\n", 1,
      "no \"path\" or \"label\" column; the first row must be a header naming the path and label columns "
        + "(it is: a.png,cat)"
    ),
    ("path,label,label\na.png,cat,dog\n", 1, "column \"label\" appears twice"),
  ])
  func unparseableFilesNameTheLine(text: String, line: Int, reason: String) {
    #expect(throws: StoreError.invalidLabelsFile(path: "labels.csv", line: line, reason: reason)) {
      try Self.parse(text)
    }
  }

  @Test func textThatIsNotUTF8NamesItsLine() {
    var bytes = Array("path,label\na.png,cat\nb.png,".utf8)
    bytes += [0xFF, 0xFE, 0x0A]
    #expect(throws: StoreError.invalidLabelsFile(path: "x.csv", line: 3, reason: "not UTF-8 text")) {
      try LabelsFile.parse(bytes, path: "x.csv")
    }
  }

  @Test func anUnreadableFileIsNamed() throws {
    let folder = try TemporaryDirectory()
    let missing = folder.appending("nope.csv")
    #expect {
      try LabelsFile.read(missing)
    } throws: { error in
      guard case .invalidLabelsFile(let path, nil, let reason) = error as? StoreError else { return false }
      return path == missing && reason.hasPrefix("cannot read: ")
    }
    #expect {
      try LabelsFile.read(folder.path)
    } throws: { error in
      guard case .invalidLabelsFile(folder.path, nil, _) = error as? StoreError else { return false }
      return true
    }
  }

  @Test func matchingGivesEveryImageItsLabel() throws {
    let match = try LabelsFile.match(
      Self.parse("path,label\nsub/b.png,dog\na.png,cat\n"), images: ["a.png", "sub/b.png"],
      allowUnlisted: false, path: "labels.csv")
    #expect(match.labels == ["a.png": "cat", "sub/b.png": "dog"] && match.unlisted.isEmpty)
  }

  @Test func everyMismatchIsListedInOneError() throws {
    let parsed = try Self.parse(
      "path,label\na.png,cat\nghost.png,cat\na.png,dog\nc.png,\nsub\\d.png,dog\nx,y,z\n")
    let images = ["a.png", "b.png", "c.png", "sub/d.png", "z.png"]
    let problems = [
      LabelsProblem(line: 3, path: "ghost.png", reason: "no such image"),
      LabelsProblem(line: 4, path: "a.png", reason: "listed twice (first on line 2)"),
      LabelsProblem(line: 5, path: "c.png", reason: "empty label"),
      LabelsProblem(line: 6, path: "sub\\d.png", reason: "no such image (paths are /-separated)"),
      LabelsProblem(
        line: 7, path: nil, reason: "3 fields, the header has 2 (enclose values that hold a comma in quotes)"),
      LabelsProblem(line: nil, path: "b.png", reason: "no row in the labels file"),
      LabelsProblem(line: nil, path: "sub/d.png", reason: "no row in the labels file"),
      LabelsProblem(line: nil, path: "z.png", reason: "no row in the labels file"),
    ]
    #expect(throws: StoreError.labelsMismatch(file: "labels.csv", problems: problems)) {
      try LabelsFile.match(parsed, images: images, allowUnlisted: false, path: "labels.csv")
    }
    let message = StoreError.labelsMismatch(file: "labels.csv", problems: problems).localizedDescription
    #expect(
      message == """
        labels.csv: 8 problems, nothing registered (use --skip-invalid to skip the images without a row):
          line 3: ghost.png: no such image
          line 4: a.png: listed twice (first on line 2)
          line 5: c.png: empty label
          line 6: sub\\d.png: no such image (paths are /-separated)
          line 7: 3 fields, the header has 2 (enclose values that hold a comma in quotes)
          b.png: no row in the labels file
          sub/d.png: no row in the labels file
          z.png: no row in the labels file
        """)

    // Allowing images without a row leaves the file's own mistakes.
    #expect(throws: StoreError.labelsMismatch(file: "labels.csv", problems: Array(problems.prefix(5)))) {
      try LabelsFile.match(parsed, images: images, allowUnlisted: true, path: "labels.csv")
    }
  }

  @Test func imagesWithoutARowCanBeAllowed() throws {
    let match = try LabelsFile.match(
      Self.parse("path,label\nb.png,dog\n"), images: ["a.png", "b.png", "c.png"], allowUnlisted: true,
      path: "labels.csv")
    #expect(match.labels == ["b.png": "dog"] && match.unlisted == ["a.png", "c.png"])
  }

  @Test func problemsPrintOnOneLineEach() {
    let problem = LabelsProblem(line: 4, path: "a\nb.png", reason: "no such image")
    #expect(problem.description == "line 4: a\\nb.png: no such image")
    #expect(
      StoreError.invalidLabelsFile(path: "l.csv", line: 9, reason: "bad").localizedDescription
        == "l.csv: line 9: bad")
    #expect(
      StoreError.invalidLabelsFile(path: "l.csv", line: nil, reason: "cannot read: gone").localizedDescription
        == "l.csv: cannot read: gone")
  }
}

/// `dataset add` with a labels file, through the library.
@Suite struct DatasetAddLabelsFileTests {
  let folder: TemporaryDirectory
  let store: Store
  let source: String
  let csv: String

  init() throws {
    folder = try TemporaryDirectory()
    store = try Store.initialize(at: folder.appending("store")).store
    source = folder.appending("images")
    csv = folder.appending("labels.csv")
    for (index, path) in ["a.png", "b.png", "sub/c.png", "sub/d.png"].enumerated() {
      try Files.write(try ImageFolder.png(seed: index), to: source + "/" + path)
    }
  }

  func writeLabels(_ text: String) throws {
    try Files.write(Array(text.utf8), to: csv)
  }

  func options(skipInvalid: Bool = false) -> DatasetAddOptions {
    DatasetAddOptions(labelsFile: csv, skipInvalid: skipInvalid)
  }

  @Test func labelsComeFromTheFileAndVersionFollowsThem() throws {
    try writeLabels("path,label\na.png,cat\nb.png,dog\nsub/c.png,cat\nsub/d.png,bird\n")
    let first = try store.addDataset(named: "pets", from: source, options: options())
    #expect(first.created && first.labels == .file && first.version.sampleCount == 4)
    let samples = try store.samples(of: DatasetReference(parsing: "pets@v1"))
    #expect(samples.map(\.label) == ["cat", "dog", "cat", "bird"])
    let summary = try store.summary(of: DatasetReference(parsing: "pets"))
    #expect(
      summary.labels.map(\.label) == ["bird", "cat", "dog"] && summary.labels.map(\.count) == [1, 2, 1])

    // Same images, same labels in another row order: no new version.
    try writeLabels("label,path\r\nbird,sub/d.png\r\ncat,sub/c.png\r\ndog,b.png\r\ncat,a.png\r\n")
    let again = try store.addDataset(named: "pets", from: source, options: options())
    #expect(!again.created && again.version.number == 1)

    // One label changed: a new version, and diff calls the sample changed.
    try writeLabels("path,label\na.png,cat\nb.png,cat\nsub/c.png,cat\nsub/d.png,bird\n")
    let second = try store.addDataset(named: "pets", from: source, options: options())
    #expect(second.created && second.version.number == 2 && second.newObjects == 0)
    let diff = try store.diff(DatasetReference(parsing: "pets@v1"), DatasetReference(parsing: "pets@v2"))
    #expect(diff == DatasetDiff(added: [], removed: [], changed: ["b.png"]))
  }

  @Test func aMismatchRegistersNothing() throws {
    try writeLabels("path,label\na.png,cat\nb.png,dog\nb.png,dog\ngone.png,x\n")
    #expect {
      try store.addDataset(named: "pets", from: source, options: options())
    } throws: { error in
      guard case .labelsMismatch(let file, let problems) = error as? StoreError else { return false }
      return file == csv
        && problems.map(\.description) == [
          "line 4: b.png: listed twice (first on line 3)", "line 5: gone.png: no such image",
          "sub/c.png: no row in the labels file", "sub/d.png: no row in the labels file",
        ]
    }
    #expect(try store.listDatasets().isEmpty)
    #expect(Files.list(store.root + "/objects").isEmpty)
    #expect(Files.list(store.root + "/tmp").isEmpty)
  }

  @Test func skipInvalidSkipsImagesWithoutARowOnly() throws {
    try Files.write(Array("not an image".utf8), to: source + "/bad.png")
    try writeLabels("path,label\na.png,cat\nsub/d.png,bird\nbad.png,x\n")
    let result = try store.addDataset(named: "pets", from: source, options: options(skipInvalid: true))
    #expect(result.version.sampleCount == 2)
    #expect(result.skipped.map(\.path) == ["b.png", "bad.png", "sub/c.png"])
    #expect(
      result.skipped.filter { $0.reason == "no row in labels.csv" }.map(\.path) == ["b.png", "sub/c.png"])
    #expect(try store.samples(of: DatasetReference(parsing: "pets")).map(\.label) == ["cat", "bird"])

    try writeLabels("path,label\na.png,cat\nghost.png,x\n")
    #expect {
      try store.addDataset(named: "pets", from: source, options: options(skipInvalid: true))
    } throws: { error in
      guard case .labelsMismatch(_, let problems) = error as? StoreError else { return false }
      return problems == [LabelsProblem(line: 3, path: "ghost.png", reason: "no such image")]
    }
  }

  @Test func labelOptionsThatContradictEachOtherAreRefused() throws {
    try writeLabels("path,label\na.png,cat\n")
    #expect(
      throws: StoreError.conflictingLabelOptions(
        reason: "--labels folders and --labels-file cannot be used together")
    ) {
      try store.addDataset(
        named: "pets", from: source, options: DatasetAddOptions(labels: .folders, labelsFile: csv))
    }
    #expect(throws: StoreError.conflictingLabelOptions(reason: "labels from a file need --labels-file")) {
      try store.addDataset(named: "pets", from: source, options: DatasetAddOptions(labels: .file))
    }
    #expect(
      try store.addDataset(
        named: "pets", from: source,
        options: DatasetAddOptions(labels: .file, labelsFile: csv, skipInvalid: true)
      ).labels == .file)
  }
}

/// Which files `dataset add` picks up.
@Suite struct DatasetSourceExtensionTests {
  @Test(arguments: [
    ("a.png", true), ("a.PNG", true), ("a.jpg", true), ("a.JPG", true), ("a.jpeg", true), ("a.JpEg", true),
    ("a.jpe", false), ("a.gif", false), ("png", false), ("a.png.txt", false), ("a.tar.jpg", true),
    ("a.", false), ("ajpg", false),
  ])
  func extensionsInAnyLetterCase(name: String, picked: Bool) {
    #expect(SourceFolder.isImageName(name) == picked)
  }

  @Test func scanPicksUpPNGAndJPEGAndCountsTheRest() throws {
    let folder = try TemporaryDirectory()
    for name in ["b.JPG", "a.png", "c/d.jpeg", "c/e.Jpg", "notes.txt", "c/f.webp", ".hidden.jpg"] {
      try Files.write([1, 2, 3], to: folder.appending(name))
    }
    let (files, ignored) = try SourceFolder.scan(folder.path)
    #expect(files.map(\.relativePath) == ["a.png", "b.JPG", "c/d.jpeg", "c/e.Jpg"])
    #expect(ignored == 2)
  }

  @Test func aFolderWithoutImagesSaysWhichExtensionsCount() throws {
    let folder = try TemporaryDirectory()
    let source = folder.appending("source")
    try Files.write([1], to: source + "/readme.txt")
    let store = try Store.initialize(at: folder.appending("store")).store
    #expect(throws: StoreError.noImages(path: source)) {
      try store.addDataset(named: "x", from: source)
    }
    #expect(
      StoreError.noImages(path: "/d").localizedDescription == "/d: no .png, .jpg or .jpeg files found")
  }
}

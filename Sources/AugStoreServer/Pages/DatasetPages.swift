import AugStore
import AugStoreCatalog

/// The dataset pages: the list, one version, a diff between two versions.
enum DatasetPages {
  /// The thumbnails shown per page of a version.
  static let pageSize = 64

  static func home(_ report: HomeReport) -> String {
    var body = "<h2>Datasets</h2>" + datasetTable(report.datasets)
    body += "<h2>Runs</h2>" + RunPages.runTable(report.runs)
    return HTML.page(title: "Store", trail: [], api: "/api", body: body)
  }

  static func list(_ report: DatasetListReport) -> String {
    HTML.page(
      title: "Datasets", trail: [("datasets", nil)], api: "/api/datasets", body: datasetTable(report.datasets)
    )
  }

  static func datasetTable(_ datasets: [DatasetListReport.ListedDataset]) -> String {
    if datasets.isEmpty { return "<p>No datasets.</p>" }
    return HTML.table(
      ["dataset", "versions", "latest samples", "tags"],
      datasets.map { dataset in
        [
          HTML.link(dataset.name, ["datasets", dataset.name]),
          dataset.versions.map { HTML.link("v\($0.version)", ["datasets", dataset.name, "v\($0.version)"]) }
            .joined(separator: " "),
          "\(dataset.versions.last?.samples ?? 0)",
          HTML.escape(
            dataset.tags.sorted { $0.key < $1.key }.map { "\($0.key)→v\($0.value)" }.joined(separator: ", ")),
        ]
      }, id: "datasets")
  }

  static func version(
    _ report: DatasetVersionReport, versions: [Int], offset: Int
  ) -> String {
    let name = report.dataset
    var body = "<p>\(report.samples) samples, \(report.bytes) bytes"
    if !report.tags.isEmpty { body += ", tags " + HTML.escape(report.tags.joined(separator: ", ")) }
    body += ", created \(HTML.escape(report.createdAt))"
    if let message = report.message { body += " — " + HTML.escape(message) }
    body += "</p><p>versions: "
    body += versions.map {
      $0 == report.version ? "<b>v\($0)</b>" : HTML.link("v\($0)", ["datasets", name, "v\($0)"])
    }
    .joined(separator: " ")
    body += "</p>"
    if versions.count > 1 {
      body += "<form method=\"get\" action=\"\(HTML.url(["datasets", name, "diff"]))\">diff "
      body += select("from", versions, selected: versions.first { $0 != report.version } ?? versions[0])
      body += " → " + select("to", versions, selected: report.version)
      body += " <button type=\"submit\">show</button></form>"
    }
    body += "<h2>Labels</h2>"
    var rows = report.labels.sorted { $0.key < $1.key }.map { [HTML.escape($0.key), "\($0.value)"] }
    if report.unlabelled > 0 { rows.append(["(unlabelled)", "\(report.unlabelled)"]) }
    body += HTML.table(["label", "samples"], rows, id: "labels")
    body += "<p>formats: "
    body += HTML.escape(
      report.formats.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    body += "</p><h2>Samples</h2>"
    let list = report.sampleList ?? []
    let shown = list.dropFirst(offset).prefix(pageSize)
    body += pager(
      total: list.count, offset: offset, segments: ["datasets", name, "v\(report.version)"], query: [])
    body += "<div class=\"grid\" id=\"samples\">"
    for sample in shown {
      body += "<div class=\"cell\">"
      body += HTML.image(
        ["img", "datasets", name, "v\(report.version)", "\(sample.index).png"], size: Thumbnail.defaultSize,
        alt: sample.path)
      body +=
        "#\(sample.index) \(HTML.escape(sample.label ?? "-"))<br><code>\(HTML.escape(sample.path))</code></div>"
    }
    body += "</div>"
    return HTML.page(
      title: "\(name)@v\(report.version)",
      trail: [("datasets", ["datasets"]), (name, ["datasets", name]), ("v\(report.version)", nil)],
      api: "/api/datasets/\(HTML.encode(name))/v\(report.version)", body: body)
  }

  /// The diff page; `fromIndex` and `toIndex` map paths to sample indices in each version.
  static func diff(
    _ report: DatasetDiffReport, name: String, from: Int, to: Int, fromIndex: [String: Int],
    toIndex: [String: Int]
  ) -> String {
    func cell(_ path: String, version: Int, index: Int?) -> String {
      guard let index else { return "" }
      return HTML.image(
        ["img", "datasets", name, "v\(version)", "\(index).png"], size: Thumbnail.defaultSize, alt: path)
    }
    var body =
      "<p>\(report.added.count) added, \(report.removed.count) removed, \(report.changed.count) changed "
      + "(content or label) from v\(from) to v\(to).</p>"
    for (title, paths, id) in [("Added", report.added, "added"), ("Removed", report.removed, "removed")] {
      body += "<h2>\(title) (\(paths.count))</h2><div class=\"grid\" id=\"\(id)\">"
      for path in paths.prefix(pageSize) {
        let version = id == "added" ? to : from
        let index = id == "added" ? toIndex[path] : fromIndex[path]
        body +=
          "<div class=\"cell\">\(cell(path, version: version, index: index))<code>\(HTML.escape(path))</code></div>"
      }
      body += "</div>"
    }
    body += "<h2>Changed (\(report.changed.count))</h2><div class=\"grid\" id=\"changed\">"
    for path in report.changed.prefix(pageSize) {
      body += "<div class=\"cell\" style=\"width:212px\"><div style=\"display:flex;gap:4px\">"
      body +=
        cell(path, version: from, index: fromIndex[path]) + cell(path, version: to, index: toIndex[path])
      body += "</div>v\(from) → v\(to)<br><code>\(HTML.escape(path))</code></div>"
    }
    body += "</div>"
    return HTML.page(
      title: "\(name): v\(from) → v\(to)",
      trail: [("datasets", ["datasets"]), (name, ["datasets", name]), ("diff", nil)],
      api: "/api/datasets/\(HTML.encode(name))/diff?from=\(from)&to=\(to)", body: body)
  }

  static func select(_ name: String, _ values: [Int], selected: Int) -> String {
    "<select name=\"\(name)\">"
      + values.map { "<option value=\"\($0)\"\($0 == selected ? " selected" : "")>v\($0)</option>" }.joined()
      + "</select>"
  }

  /// Links to the previous and next pages of `pageSize` items.
  static func pager(total: Int, offset: Int, segments: [String], query: [(String, String)]) -> String {
    guard total > pageSize else { return "" }
    var text = "<p class=\"pager\">\(offset + 1)–\(min(total, offset + pageSize)) of \(total) "
    if offset > 0 {
      text += HTML.link("← previous", segments, query: query + [("offset", "\(max(0, offset - pageSize))")])
    }
    if offset + pageSize < total {
      text += HTML.link("next →", segments, query: query + [("offset", "\(offset + pageSize)")])
    }
    return text + "</p>"
  }
}

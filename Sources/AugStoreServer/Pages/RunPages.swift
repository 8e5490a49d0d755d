import AugStore
import AugStoreCatalog
import Foundation

/// The run pages: the list, one run, an epoch's samples, one sample's timeline, the statistics.
enum RunPages {
  /// The size of the timeline's images (the longer side).
  static let timelineSize = 160

  static func runTable(_ runs: [RunReport]) -> String {
    if runs.isEmpty { return "<p>No runs.</p>" }
    return HTML.table(
      ["run", "dataset", "pipeline", "seed", "shuffle"],
      runs.map { run in
        [
          HTML.link(run.name, ["runs", run.name]), HTML.escape(run.dataset), HTML.escape(run.pipeline),
          "\(run.seed)", run.shuffle ? "on" : "off",
        ]
      }, id: "runs")
  }

  static func list(_ report: RunListReport) -> String {
    HTML.page(title: "Runs", trail: [("runs", nil)], api: "/api/runs", body: runTable(report.runs))
  }

  static func run(_ report: RunPageReport) -> String {
    let run = report.run
    let datasetName = String(run.dataset.prefix { $0 != "@" })
    let version = String(run.dataset.drop { $0 != "@" }.dropFirst())
    var body = "<table id=\"run\"><tbody>"
    body +=
      "<tr><th>dataset</th><td>\(HTML.link(run.dataset, ["datasets", datasetName, version])) (\(run.samples) samples)</td></tr>"
    body +=
      "<tr><th>pipeline</th><td>\(HTML.escape(run.pipeline)) <code>\(HTML.escape(String(run.fingerprint.prefix(16))))</code></td></tr>"
    body += "<tr><th>seed</th><td>\(run.seed)</td></tr>"
    body += "<tr><th>shuffle</th><td>\(run.shuffle ? "on" : "off")</td></tr>"
    body += "<tr><th>decoder</th><td>version \(run.decoder)</td></tr>"
    body += "<tr><th>created</th><td>\(HTML.escape(run.createdAt))</td></tr></tbody></table>"
    body += "<h2>Pipeline spec</h2><pre id=\"spec\">\(HTML.escape(prettySpec(report.spec)))</pre>"
    body += "<h2>Epochs</h2>"
    if report.epochs.isEmpty {
      body +=
        "<p>No epoch is recorded yet (<code>augstore record \(HTML.escape(run.name)) --epochs 0-9</code>).</p>"
    } else {
      body += HTML.table(
        ["epoch", "samples", "originals", "materialized", "recorded", ""],
        report.epochs.map { epoch in
          [
            "\(epoch.epoch)", "\(epoch.samples)", "\(epoch.originals)",
            "\(epoch.materialized) of \(epoch.samples)", HTML.escape(epoch.recordedAt),
            HTML.link("samples", ["runs", run.name, "samples"], query: [("epoch", "\(epoch.epoch)")]),
          ]
        }, id: "epochs")
      body += "<p>" + HTML.link("statistics (charts)", ["runs", run.name, "stats"]) + "</p>"
    }
    let cache = report.cache
    body +=
      "<h2>Cache</h2><p id=\"cache\">\(cache.entries) entries, \(cache.bytes) bytes; \(cache.hits) hits, "
    body += "\(cache.misses) misses, \(cache.rebuilt) rebuilt (the whole store)</p>"
    return HTML.page(
      title: "Run \(run.name)", trail: [("runs", ["runs"]), (run.name, nil)],
      api: "/api/runs/\(HTML.encode(run.name))", body: body)
  }

  static func prettySpec(_ spec: String) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(spec.utf8)),
      let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    else { return spec }
    return String(decoding: data, as: UTF8.self)
  }

  static func samples(_ report: SampleGridReport, epochs: [Int], labels: [String]) -> String {
    let name = report.run
    var body = "<form method=\"get\" action=\"\(HTML.url(["runs", name, "samples"]))\">epoch "
    body +=
      "<select name=\"epoch\">"
      + epochs.map { "<option value=\"\($0)\"\($0 == report.epoch ? " selected" : "")>\($0)</option>" }
      .joined()
      + "</select> label <select name=\"label\"><option value=\"\">(any)</option>"
    body += labels.map {
      "<option value=\"\(HTML.escape($0))\"\($0 == report.label ? " selected" : "")>\(HTML.escape($0))</option>"
    }.joined()
    body += "</select> <label><input type=\"checkbox\" name=\"never_original\" value=\"1\""
    body += report.neverOriginal ? " checked" : ""
    body += "> never saw its original</label> <button type=\"submit\">show</button></form>"
    body += "<p id=\"count\">\(report.total) samples in recorded order</p>"
    var query = [("epoch", "\(report.epoch)")]
    if let label = report.label { query.append(("label", label)) }
    if report.neverOriginal { query.append(("never_original", "1")) }
    body += DatasetPages.pager(
      total: report.total, offset: report.offset, segments: ["runs", name, "samples"], query: query)
    body += "<div class=\"grid\" id=\"samples\">"
    for cell in report.samples {
      body += "<div class=\"cell\"><a href=\"\(HTML.url(["runs", name, "samples", "\(cell.index)"]))\">"
      body += HTML.image(
        ["img", "runs", name, "epochs", "\(report.epoch)", "\(cell.index).png"], size: Thumbnail.defaultSize,
        alt: "epoch \(report.epoch) sample \(cell.index)")
      body += "</a>pos \(cell.position) · #\(cell.index) \(HTML.escape(cell.label ?? "-"))"
      if cell.original { body += " <span class=\"badge\">original</span>" }
      if cell.neverOriginal { body += " <span class=\"badge never\">never original</span>" }
      body += "</div>"
    }
    body += "</div>"
    return HTML.page(
      title: "\(name): epoch \(report.epoch)",
      trail: [("runs", ["runs"]), (name, ["runs", name]), ("samples", nil)],
      api: "/api/runs/\(HTML.encode(name))/samples?epoch=\(report.epoch)", body: body)
  }

  static func timeline(_ report: HistoryReport) -> String {
    let name = report.run
    let sample = report.sample
    var body = "<p>sample #\(sample.index) <code>\(HTML.escape(sample.path))</code> label "
    body += "\(HTML.escape(sample.label ?? "-")), \(report.epochs.count) recorded epochs</p>"
    body += "<div class=\"timeline\" id=\"timeline\"><div class=\"card original\"><b>original</b>"
    body += HTML.image(
      ["img", "runs", name, "original", "\(sample.index).png"], size: timelineSize, alt: "original")
    body += "</div>"
    for epoch in report.epochs {
      body += "<div class=\"card\(epoch.original ? " original" : "")\" data-epoch=\"\(epoch.epoch)\">"
      body += "<b>epoch \(epoch.epoch)</b>" + (epoch.original ? " <span class=\"badge\">original</span>" : "")
      body += HTML.image(
        ["img", "runs", name, "epochs", "\(epoch.epoch)", "\(sample.index).png"], size: timelineSize,
        alt: "epoch \(epoch.epoch)")
      body += "position \(epoch.position)<ul class=\"params\">"
      for transform in epoch.transforms {
        let values = transform.params.fields.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        body += "<li>\(HTML.escape(transform.type))(\(HTML.escape(values)))</li>"
      }
      body +=
        "</ul>digest <span class=\"digest\">\(HTML.escape(epoch.digest.map { String($0.prefix(16)) } ?? "not materialized"))</span></div>"
    }
    body += "</div>"
    return HTML.page(
      title: "\(name): sample \(sample.index)",
      trail: [("runs", ["runs"]), (name, ["runs", name]), ("sample \(sample.index)", nil)],
      api: "/api/runs/\(HTML.encode(name))/samples/\(sample.index)", body: body)
  }

  static func stats(_ report: RunStats, epochs: [EpochOverview]) -> String {
    let name = report.run
    var body = "<p>\(report.samples) samples, \(report.records) records over epochs "
    body += HTML.escape(report.epochs.map(String.init).joined(separator: ", ")) + "; "
    body += "\(report.originalRecords) original records, \(report.unchangedRecords) unchanged; "
    body += "<b id=\"never\">\(report.neverOriginal)</b> samples never saw their original.</p>"
    body += "<div class=\"charts\" id=\"charts\">"
    body += Charts.bars(
      epochs.map { (label: "\($0.recorded.epoch)", value: Double($0.recorded.originalCount)) },
      title: "original records per epoch", alternate: true)
    body += Charts.bars(
      report.transforms.map { transform in
        (
          label: "\(transform.index) \(transform.type.replacingOccurrences(of: "Random", with: ""))",
          value: transform.applied > 0 ? Double(transform.changed) / Double(transform.applied) : 0
        )
      }, title: "rate that changed the image, by transform", maximum: 1)
    for transform in report.transforms {
      for parameter in transform.parameters {
        body += Charts.bars(
          parameter.histogram.map {
            (label: Charts.number(($0.lower + $0.upper) / 2), value: Double($0.count))
          },
          title: "[\(transform.index)] \(transform.type).\(parameter.name)", width: 420)
      }
    }
    body += "</div><h2>Transforms</h2>"
    body += HTML.table(
      ["#", "transform", "applied", "changed the image", "rate"],
      report.transforms.map { transform in
        [
          "\(transform.index)", HTML.escape(transform.type), "\(transform.applied)", "\(transform.changed)",
          transform.applied > 0 ? Charts.number(Double(transform.changed) / Double(transform.applied)) : "-",
        ]
      }, id: "transforms")
    let distinct = report.distinctTensors
    body += "<p>distinct tensors per sample: min \(distinct.min), max \(distinct.max), mean "
    body += Charts.number(distinct.mean) + " (from \(HTML.escape(distinct.source)))</p>"
    return HTML.page(
      title: "\(name): statistics",
      trail: [("runs", ["runs"]), (name, ["runs", name]), ("statistics", nil)],
      api: "/api/runs/\(HTML.encode(name))/stats", body: body)
  }
}

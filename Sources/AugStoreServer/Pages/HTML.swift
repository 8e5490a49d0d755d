/// Building the pages: escaping, links, the shared layout with its small stylesheet and script.
enum HTML {
  /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and attribute values.
  static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }

  /// A root-relative URL of `segments` (each percent-encoded) and `query`, escaped for an attribute.
  static func url(_ segments: [String], query: [(String, String)] = []) -> String {
    var text = "/" + segments.map(encode).joined(separator: "/")
    if !query.isEmpty {
      text += "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
    return escape(text)
  }

  /// Percent-encodes everything but unreserved characters.
  static func encode(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        result.append(Character(Unicode.Scalar(byte)))
      default:
        let digits = Array("0123456789ABCDEF")
        result += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
      }
    }
    return result
  }

  /// A link.
  static func link(_ text: String, _ segments: [String], query: [(String, String)] = []) -> String {
    "<a href=\"\(url(segments, query: query))\">\(escape(text))</a>"
  }

  /// A thumbnail image.
  static func image(_ segments: [String], size: Int, alt: String) -> String {
    "<img src=\"\(url(segments, query: [("size", "\(size)")]))\" alt=\"\(escape(alt))\" loading=\"eager\">"
  }

  /// A whole page: title, breadcrumbs (text and optional link), body, and the link to its JSON twin.
  static func page(title: String, trail: [(String, [String]?)], api: String, body: String) -> String {
    let crumbs = ([("augstore", [String]())] + trail).map { text, segments in
      segments.map { link(text, $0) } ?? escape(text)
    }.joined(separator: " / ")
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
      <title>\(escape(title)) · augstore</title>
      <style>\(style)</style>
      </head><body>
      <nav>\(crumbs)<span class="api"><a href="\(escape(api))">JSON</a></span></nav>
      <main>
      <h1>\(escape(title))</h1>
      \(body)
      </main>
      <script>\(script)</script>
      </body></html>
      """
  }

  /// A table with a header row; cells are HTML.
  static func table(_ header: [String], _ rows: [[String]], id: String? = nil) -> String {
    var text = "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>"
    text += header.map { "<th>\(escape($0))</th>" }.joined()
    text += "</tr></thead><tbody>"
    for row in rows { text += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
    return text + "</tbody></table>"
  }

  static let style = """
    body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
    nav{background:#263238;color:#eee;padding:8px 16px}nav a{color:#9fd3ff}.api{float:right}
    main{padding:8px 16px}h1{font-size:20px}h2{font-size:16px;margin-top:20px}
    table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
    .grid{display:flex;flex-wrap:wrap;gap:6px}.cell{background:#fff;border:1px solid #ddd;padding:4px;
    font-size:11px;text-align:center;width:104px;overflow:hidden}.cell img{display:block;margin:auto;
    image-rendering:pixelated;max-width:96px;max-height:96px}
    .timeline{display:flex;flex-wrap:wrap;gap:8px}.card{background:#fff;border:1px solid #ccc;padding:6px;
    width:180px;font-size:12px}.card img{display:block;width:160px;height:auto;image-rendering:pixelated}
    .card.original{border-color:#2e7d32}.params{padding-left:14px;margin:4px 0;overflow-wrap:anywhere}.badge{background:#2e7d32;color:#fff;border-radius:3px;padding:0 4px}
    .badge.never{background:#c62828}code,.digest{font-family:ui-monospace,monospace;font-size:11px;
    word-break:break-all}pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto}
    svg.chart{background:#fff;border:1px solid #ddd;margin:4px}svg.chart rect.bar{fill:#1e88e5}
    svg.chart rect.bar.alt{fill:#fb8c00}svg.chart text{font-size:10px;fill:#333}
    .charts{display:flex;flex-wrap:wrap;gap:8px}form{margin:8px 0}.pager a{margin-right:8px}
    """

  /// Marks every image with `data-loaded` once it has loaded (or `data-failed`), for people and tests.
  static let script = """
    document.querySelectorAll('img').forEach(function(i){
      function done(){ if(i.naturalWidth>0){i.dataset.loaded='1';} }
      if(i.complete){done();} else {i.addEventListener('load',done);}
      i.addEventListener('error',function(){i.dataset.failed='1';});
    });
    document.body.dataset.images=String(document.querySelectorAll('img').length);
    """
}

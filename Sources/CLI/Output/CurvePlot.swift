import Foundation
import Registry

/// Draws loss and accuracy over global steps as a standalone SVG: two panels sharing the
/// step axis, gridlines at round tick values (each labelled distinctly), a point (with a
/// tooltip) at each checkpoint that records the metric.
struct CurvePlot {
    struct Series {
        var name: String
        var color: String
        /// The curve, one point per epoch where the run recorded them.
        var points: [(x: Double, y: Double)]
        /// The retained checkpoints, drawn as dots on the curve.
        var marks: [(x: Double, y: Double)]
        var unit: String
    }

    let svg: String
    /// What the plot shows, in words: "loss and accuracy over 200 epochs, 5 checkpoints as dots".
    let summary: String

    /// The run's curve when it was trained here (every epoch), else the checkpoints' metrics;
    /// nil when there is neither (nothing to plot).
    init?(run: String, versions: [VersionSummary], curve: [MetricPoint]) {
        let saved = versions.compactMap { v -> (Double, Double?, Double?)? in
            guard let step = v.globalStep else { return nil }
            return (Double(step), v.metrics?["loss"], v.metrics?["accuracy"])
        }.sorted { $0.0 < $1.0 }
        let savedLoss = saved.compactMap { r in r.1.map { (x: r.0, y: $0) } }
        let savedAccuracy = saved.compactMap { r in r.2.map { (x: r.0, y: $0 * 100) } }
        let loss = Series(name: "loss", color: "#d9480f", points: curve.isEmpty ? savedLoss : curve.map { (x: Double($0.step), y: $0.loss) },
                          marks: savedLoss, unit: "")
        let accuracy = Series(name: "accuracy", color: "#1971c2",
                              points: curve.isEmpty ? savedAccuracy : curve.map { (x: Double($0.step), y: $0.accuracy * 100) },
                              marks: savedAccuracy, unit: "%")
        guard !loss.points.isEmpty || !accuracy.points.isEmpty else { return nil }
        let dots = max(loss.marks.count, accuracy.marks.count)
        let width = 760.0, panel = 220.0, left = 70.0, right = 24.0, top = 48.0, gap = 56.0
        let xs = (loss.points + accuracy.points + loss.marks + accuracy.marks).map(\.x)
        let xRange = (xs.min() ?? 0, max((xs.max() ?? 1), (xs.min() ?? 0) + 1))
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(top + 2 * panel + gap + 56))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="26" font-size="16" font-weight="bold">\(Self.escape(run)): loss and accuracy by global step</text>

        """
        if dots > 0 {
            svg += "<text x=\"\(width - right)\" y=\"26\" text-anchor=\"end\" fill=\"#868e96\">dots: checkpoints kept (\(dots))</text>\n"
        }
        for (index, series) in [loss, accuracy].enumerated() {
            let y0 = top + Double(index) * (panel + gap)
            svg += Self.panelSVG(series, x: left, y: y0, width: width - left - right, height: panel, xRange: xRange, showXLabel: index == 1)
        }
        self.svg = svg + "</svg>\n"
        let points = max(loss.points.count, accuracy.points.count)
        summary = "loss and accuracy at \(points) step\(points == 1 ? "" : "s")"
            + (curve.isEmpty ? " (the checkpoints' metrics)" : " (every epoch)")
            + (dots > 0 ? ", \(dots) checkpoint\(dots == 1 ? "" : "s") as dots" : "")
    }

    private static func panelSVG(_ series: Series, x: Double, y: Double, width: Double, height: Double,
                                 xRange: (Double, Double), showXLabel: Bool) -> String {
        let ys = (series.points + series.marks).map(\.y)
        var low = ys.min() ?? 0, high = ys.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        // Global steps are whole numbers: no tick between two of them.
        let yTicks = ticks(low, high), xTicks = ticks(xRange.0, xRange.1).filter { $0.rounded() == $0 }
        let yLabel = labels(yTicks, unit: series.unit), xLabel = labels(xTicks, unit: "")
        low = min(low, yTicks.first ?? low); high = max(high, yTicks.last ?? high)
        func px(_ v: Double) -> Double { x + (v - xRange.0) / (xRange.1 - xRange.0) * width }
        func py(_ v: Double) -> Double { y + height - (v - low) / (high - low) * height }
        var out = "<g>\n<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"#fafafa\" stroke=\"#ced4da\"/>\n"
        for t in yTicks {
            out += "<line x1=\"\(x)\" x2=\"\(x + width)\" y1=\"\(py(t))\" y2=\"\(py(t))\" stroke=\"#e9ecef\"/>"
            out += "<text x=\"\(x - 8)\" y=\"\(py(t) + 4)\" text-anchor=\"end\" fill=\"#495057\">\(yLabel(t))</text>\n"
        }
        for t in xTicks where t >= xRange.0 && t <= xRange.1 {
            out += "<line x1=\"\(px(t))\" x2=\"\(px(t))\" y1=\"\(y)\" y2=\"\(y + height)\" stroke=\"#e9ecef\"/>"
            out += "<text x=\"\(px(t))\" y=\"\(y + height + 16)\" text-anchor=\"middle\" fill=\"#495057\">\(xLabel(t))</text>\n"
        }
        out += "<text x=\"\(x + 8)\" y=\"\(y + 18)\" font-weight=\"bold\" fill=\"\(series.color)\">\(series.name)</text>\n"
        if !series.points.isEmpty {
            let path = series.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\"/>\n"
            for point in series.marks {
                out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"><title>step %d: %@</title></circle>\n",
                              px(point.x), py(point.y), series.color, Int(point.x), String(format: "%.4g", point.y) + series.unit)
            }
        } else {
            out += "<text x=\"\(x + width / 2)\" y=\"\(y + height / 2)\" text-anchor=\"middle\" fill=\"#868e96\">no \(series.name) recorded</text>\n"
        }
        if showXLabel {
            out += "<text x=\"\(x + width / 2)\" y=\"\(y + height + 36)\" text-anchor=\"middle\" fill=\"#212529\">global step</text>\n"
        }
        return out + "</g>\n"
    }

    /// Tick labels with as many decimals as the ticks' spacing needs, so that neighbours differ
    /// (`%.3g` printed 1.605, 1.61 and 1.615 all as 1.61).
    static func labels(_ ticks: [Double], unit: String) -> (Double) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, min(12, Int(-floor(log10(step) + 1e-9))))
        return { value in String(format: "%.\(decimals)f", abs(value) < step / 1e6 ? 0 : value) + unit }
    }

    /// About five round tick values (1, 2 or 5 × 10^k apart) covering [low, high].
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = max(high - low, 1e-9)
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var t = floor(low / step) * step
        while t <= high + step * 0.5 && ticks.count < 20 { ticks.append(t); t += step }
        return ticks
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

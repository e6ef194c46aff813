import Foundation
import Registry

/// Draws a run's metrics over global steps as an SVG: loss and accuracy, or each of its series,
/// in panels sharing the step axis, gridlines at round tick values (each labelled distinctly), a
/// point (with a tooltip) at each checkpoint that records the metric. `history --plot` writes it
/// to a file; the web app's model page puts the same drawing inline (from a thinned curve).
public struct CurvePlot: Sendable {
    struct Series {
        var name: String
        var color: String
        /// The curve, one point per epoch where the run recorded them.
        var points: [(x: Double, y: Double)]
        /// The retained checkpoints, drawn as dots on the curve.
        var marks: [(x: Double, y: Double)]
        var unit: String
    }

    public let svg: String
    /// What the plot shows, in words: "loss and accuracy at 200 steps (every epoch), 5 checkpoints as dots".
    public let summary: String

    /// Panels past this many are left out of the plot.
    static let maxPanels = 12
    static let colors = ["#d9480f", "#1971c2", "#2f9e44", "#7048e8", "#e8590c", "#0c8599", "#c2255c", "#5c940d"]

    /// The run's curve when it was trained here (every epoch), else its series (metrics
    /// pushed with a step, TensorBoard scalars), else the checkpoints' loss and accuracy; a
    /// panel per metric (at most `maxPanels`), the kept checkpoints as dots; nil when there is
    /// nothing to plot. `curve` may be thinned (`trainingCurve(run:maxPoints:)`): what it holds is drawn.
    public init?(run: String, curve: TrainingCurve) {
        let saved = curve.checkpoints.map { (step: Double($0.step), metrics: $0.metrics) }
        func marks(_ name: String, scale: Double = 1) -> [(x: Double, y: Double)] {
            saved.compactMap { r in r.metrics[name].map { (x: r.step, y: $0 * scale) } }
        }
        let epochs = curve.epochs, series = curve.series
        var panels: [Series] = []
        if !epochs.isEmpty || series.isEmpty {
            panels.append(Series(name: "loss", color: Self.colors[0], points: epochs.isEmpty ? marks("loss") : epochs.map { (x: Double($0.step), y: $0.loss) },
                                 marks: marks("loss"), unit: ""))
            panels.append(Series(name: "accuracy", color: Self.colors[1],
                                 points: epochs.isEmpty ? marks("accuracy", scale: 100) : epochs.map { (x: Double($0.step), y: $0.accuracy * 100) },
                                 marks: marks("accuracy", scale: 100), unit: "%"))
        }
        for one in series where !panels.contains(where: { $0.name == one.name }) {
            panels.append(Series(name: one.name, color: Self.colors[panels.count % Self.colors.count],
                                 points: one.points.map { (x: Double($0.step), y: $0.value) }, marks: marks(one.name), unit: ""))
        }
        let shown = Array(panels.prefix(Self.maxPanels))
        guard shown.contains(where: { !$0.points.isEmpty }) else { return nil }
        let lossAndAccuracy = shown.count == 2 && shown[0].name == "loss" && shown[1].name == "accuracy"
        let title = lossAndAccuracy ? "loss and accuracy" : "metrics"
        let dots = shown.map(\.marks.count).max() ?? 0
        svg = Self.render(run: run, title: title, panels: shown, dots: dots)
        let points = shown.map(\.points.count).max() ?? 0
        summary = (lossAndAccuracy ? title : shown.map(\.name).joined(separator: ", "))
            + " at \(points) step\(points == 1 ? "" : "s")"
            + (epochs.isEmpty ? (series.isEmpty ? " (the checkpoints' metrics)" : "") : " (every epoch)")
            + (dots > 0 ? ", \(dots) checkpoint\(dots == 1 ? "" : "s") as dots" : "")
    }

    /// The panels one above the other, sharing the step axis.
    private static func render(run: String, title: String, panels: [Series], dots: Int) -> String {
        let width = 760.0, panel = 220.0, left = 70.0, right = 24.0, top = 48.0, gap = 56.0
        let xs = panels.flatMap { $0.points + $0.marks }.map(\.x)
        let xRange = (xs.min() ?? 0, max((xs.max() ?? 1), (xs.min() ?? 0) + 1))
        let height = top + Double(panels.count) * panel + Double(max(panels.count - 1, 0)) * gap + 56
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="26" font-size="16" font-weight="bold">\(HTML.escape(run)): \(title) by global step</text>

        """
        if dots > 0 {
            svg += "<text x=\"\(width - right)\" y=\"26\" text-anchor=\"end\" fill=\"#868e96\">dots: checkpoints kept (\(dots))</text>\n"
        }
        for (index, series) in panels.enumerated() {
            let y0 = top + Double(index) * (panel + gap)
            svg += panelSVG(series, x: left, y: y0, width: width - left - right, height: panel, xRange: xRange, showXLabel: index == panels.count - 1)
        }
        return svg + "</svg>\n"
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
        out += "<text x=\"\(x + 8)\" y=\"\(y + 18)\" font-weight=\"bold\" fill=\"\(series.color)\">\(HTML.escape(series.name))</text>\n"
        if !series.points.isEmpty {
            let path = series.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\"/>\n"
            for point in series.marks {
                out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"><title>step %d: %@</title></circle>\n",
                              px(point.x), py(point.y), series.color, Int(point.x), String(format: "%.4g", point.y) + series.unit)
            }
        } else {
            out += "<text x=\"\(x + width / 2)\" y=\"\(y + height / 2)\" text-anchor=\"middle\" fill=\"#868e96\">no \(HTML.escape(series.name)) recorded</text>\n"
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
}

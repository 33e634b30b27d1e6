// A minimal SVG line chart for loss curves and precision–recall curves: series of (x, y)
// points drawn in one axes box with ticks, a legend and a title. No dependencies.
import Foundation

/// A line chart that renders to a standalone SVG document.
public struct LinePlot: Sendable {
    /// One named polyline.
    public struct Series: Sendable {
        /// The legend label.
        public var name: String
        /// The points, in data units; non-finite points are skipped.
        public var points: [(x: Double, y: Double)]

        /// Creates a series.
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// The chart title.
    public var title: String
    /// Axis labels.
    public var xLabel: String, yLabel: String
    /// The curves.
    public var series: [Series]
    /// Fixed axis ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?
    /// Plot size in SVG pixels.
    public var width = 720.0, height = 440.0
    /// Whether each point also gets a dot (for curves of few points, e.g. learning curves,
    /// where a single evaluation would otherwise draw nothing).
    public var showsMarkers = false

    /// Creates a chart.
    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.xRange = xRange; self.yRange = yRange
    }

    /// A colour-blind-safe palette (Okabe–Ito), cycled over the series.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// The SVG document.
    public func svg() -> String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xr = xRange ?? Self.padded(finite.map(\.x))
        let yr = yRange ?? Self.padded(finite.map(\.y))
        let left = 70.0, right = 170.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotH }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="15">\(Self.escape(title))</text>
        <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#444"/>

        """
        for i in 0...4 {
            let fx = xr.lowerBound + Double(i) / 4 * (xr.upperBound - xr.lowerBound)
            let fy = yr.lowerBound + Double(i) / 4 * (yr.upperBound - yr.lowerBound)
            out += "<line x1=\"\(f(px(fx)))\" y1=\"\(f(top))\" x2=\"\(f(px(fx)))\" y2=\"\(f(top + plotH))\" stroke=\"#ddd\"/>\n"
            out += "<line x1=\"\(f(left))\" y1=\"\(f(py(fy)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(fy)))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(px(fx)))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(Self.tick(fx))</text>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(fy) + 4))\" text-anchor=\"end\">\(Self.tick(fy))</text>\n"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { "\(f(px($0.x))),\(f(py(min(max($0.y, yr.lowerBound), yr.upperBound))))" }
            if !pts.isEmpty {
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\" points=\"\(pts.joined(separator: " "))\"/>\n"
            }
            if showsMarkers {
                for p in pts {
                    let xy = p.split(separator: ",")
                    out += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(colour)\"/>\n"
                }
            }
            let ly = top + 14 + Double(i) * 18
            out += "<line x1=\"\(f(left + plotW + 12))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotW + 34))\" y2=\"\(f(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"3\"/>\n"
            out += "<text x=\"\(f(left + plotW + 40))\" y=\"\(f(ly))\">\(Self.escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// The axis range for the data: four equal intervals of a round step (1, 2, 2.5 or 5 × 10^k)
    /// starting at a multiple of it, so the five tick labels are round numbers (a unit interval
    /// around flat data, 0...1 for none).
    static func padded(_ values: [Double]) -> ClosedRange<Double> {
        guard let lo = values.min(), let hi = values.max() else { return 0...1 }
        if hi - lo < 1e-12 { return (lo - 0.5)...(hi + 0.5) }
        var step = roundStep(atLeast: (hi - lo) / 4)
        // Flooring the start can leave the top uncovered; the next round step then does.
        while true {
            let start = (lo / step).rounded(.down) * step
            if start + 4 * step >= hi { return start...(start + 4 * step) }
            step = roundStep(atLeast: step * 1.001)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw` (> 0).
    static func roundStep(atLeast raw: Double) -> Double {
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for multiple in [1, 2, 2.5, 5] where multiple * magnitude >= raw * (1 - 1e-12) { return multiple * magnitude }
        return 10 * magnitude
    }

    static func tick(_ v: Double) -> String {
        abs(v) >= 1000 ? String(format: "%.0f", v) : String(format: "%.3g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

import Foundation
import RegistryFormat
import RegistryStore

/// The metrics a push records beside its versions: every scalar of the TensorBoard event
/// files given with `events`, and the `metrics` given for the pushed step. They join the
/// model's series (which `history --plot` draws and retention never deletes), and each new
/// version's metrics are the series' values at its step (the last logged at or before it),
/// with the explicit ones on top.
struct LoggedMetrics {
    /// The event files' series, read (and checked) before anything is recorded.
    let logged: [MetricSeries]
    let explicit: [String: Double]?

    init(_ options: ModelRegistry.PushOptions) throws {
        explicit = options.metrics
        guard let folder = options.events else { logged = []; return }
        var series: [MetricSeries] = []
        for scalar in try EventLog.scalars(folder: folder) {
            if series.last?.name != scalar.tag { series.append(MetricSeries(name: scalar.tag, points: [])) }
            series[series.count - 1].points.append(.init(step: scalar.step, value: scalar.value))
        }
        logged = series
    }

    /// A version's metrics at `step`: the logged values at or before it, then the explicit ones.
    func metrics(at step: Int64?) -> [String: Double]? {
        var metrics: [String: Double] = [:]
        if let step {
            for series in logged { metrics[series.name] = series.value(atOrBefore: step) }
        }
        metrics.merge(explicit ?? [:]) { $1 }
        return metrics.isEmpty ? nil : metrics
    }

    /// Adds the logged series to `model`'s, and the explicit metrics at each of `steps`.
    func record(session: StoreSession, model: String, steps: [Int64?]) throws {
        let pointed = steps.compactMap { $0 }.flatMap { step in
            (explicit ?? [:]).map { MetricSeries(name: $0.key, points: [.init(step: step, value: $0.value)]) }
        }
        guard !logged.isEmpty || !pointed.isEmpty, let modelID = try session.modelID(named: model) else { return }
        try session.addSeries(logged + pointed, modelID: modelID)
    }
}

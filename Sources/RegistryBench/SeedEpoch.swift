import Foundation
import Train

/// The seed network's epoch (50 Adam steps of batch 32) in Swift against the same 50 steps in C
/// over the same OpenBLAS (`SeedLoopC`), from the same start: first checked bit for bit after
/// one epoch, then timed taking turns, so that the machine's load hits both alike.
enum SeedEpoch {
    static let turns = 21

    /// `registry-bench epoch`: this comparison alone.
    static func run(_ arguments: [String]) throws {
        print(pad("training (seed network, per epoch)", 40) + pad("time", 12) + "ratio (Swift / this)")
        _ = compare(header: false)
    }

    /// Prints the Swift epoch and the C loop's beside it; returns the Swift epoch's median seconds.
    static func compare(header: Bool = true) -> Double {
        let dataset = Dataset(seed: 1234)
        var state = TrainingState(seed: 1)
        var seedLoop = SeedLoopC(state, batchSize: dataset.batchSize)
        let swiftFirst = state.trainEpoch(dataset), cFirst = seedLoop.epoch(dataset)
        let identical = SeedLoopC.parameters(of: state).map(\.bitPattern) == seedLoop.parameters.map(\.bitPattern)
            && swiftFirst.meanLoss.bitPattern == cFirst.meanLoss.bitPattern
        for _ in 0..<3 { _ = state.trainEpoch(dataset); _ = seedLoop.epoch(dataset) }
        var swiftTimes: [Double] = [], cTimes: [Double] = [], ratios: [Double] = []
        for _ in 0..<turns {
            let swiftTime = median(1) { _ = state.trainEpoch(dataset) }
            let cTime = median(1) { _ = seedLoop.epoch(dataset) }
            swiftTimes.append(swiftTime)
            cTimes.append(cTime)
            ratios.append(swiftTime / cTime)
        }
        let swiftEpoch = swiftTimes.sorted()[turns / 2], cEpoch = cTimes.sorted()[turns / 2], ratio = ratios.sorted()[turns / 2]
        if header {
            print("")
            print(pad("training (seed network, per epoch)", 40) + pad("time", 12) + "ratio (Swift / this)")
        }
        print(pad("Swift, OpenBLAS", 40) + pad(String(format: "%.2f ms", swiftEpoch * 1e3), 12) + "1.00x")
        print(pad("C loop, same OpenBLAS, same 50 steps", 40) + pad(String(format: "%.2f ms", cEpoch * 1e3), 12)
              + String(format: "%.2fx (median of %d turns' ratios; target <= 1.25x)", ratio, turns) + (ratio > 1.25 ? " !" : ""))
        print("  the C loop's variables and slots after one epoch: " + (identical ? "bit-identical to Swift's" : "DIFFER from Swift's"))
        return swiftEpoch
    }
}

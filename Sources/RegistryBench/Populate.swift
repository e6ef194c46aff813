import Foundation
import Registry

/// `registry-bench populate DB MODELS VERSIONS SERVE_DIR TRAIN_DIR [--metrics]`: fills a
/// registry with MODELS × VERSIONS versions through the library (one process, one push per
/// version), the first half of the models from SERVE_DIR (a {serve} SavedModel), the rest from
/// TRAIN_DIR (a {train} one), for the `ls --tag serve` and `registry ui` rows of `make bench`.
/// With `--metrics`, each {train} version carries a global step (100 × its number), a loss and
/// an accuracy, so that each {train} model has a curve to draw. Prints JSON with the time.
enum Populate {
    static func run(_ arguments: [String]) throws {
        let metrics = arguments.count == 6 && arguments[5] == "--metrics"
        guard arguments.count == 5 || metrics, let models = Int(arguments[1]), let versions = Int(arguments[2]) else {
            FileHandle.standardError.write(Data("usage: registry-bench populate DB MODELS VERSIONS SERVE_DIR TRAIN_DIR [--metrics]\n".utf8))
            exit(64)
        }
        let registry = try ModelRegistry(path: arguments[0])
        let start = DispatchTime.now().uptimeNanoseconds
        // Versions are pushed round-robin over the models, so that versions of one model are
        // spread through the file as they would be in a registry used over time.
        for number in 0..<versions {
            for model in 0..<models {
                let serve = model < models / 2
                var options = ModelRegistry.PushOptions()
                options.labels = ["bench": serve ? "serve" : "train", "n": String(number)]
                if metrics && !serve {
                    options.globalStep = Int64(number + 1) * 100
                    options.metrics = ["loss": 1.6 / Double(number + 2).squareRoot(), "accuracy": 0.2 + 0.6 * Double(number) / Double(versions)]
                }
                _ = try registry.push(savedModel: serve ? arguments[3] : arguments[4],
                                      model: String(format: "%@-%03d", serve ? "serve" : "train", model), options: options)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("{\"versions\": \(models * versions), \"seconds\": \(seconds)}")
    }
}

import ArgumentParser
import Foundation
import Registry
import RegistryUI

/// `registry ui`: a read-only web app over the registry (models, versions, curves, diffs,
/// search, and the JSON API under /api/), on loopback unless `--host` says otherwise.
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui", abstract: "Browse the registry in a web browser (read-only).",
        discussion: "Serves pages and a JSON API (/api/ls, /api/models, /api/history, /api/show, /api/diff, /api/curve, /api/search) until interrupted.")

    @OptionGroup var options: RegistryOptions
    @Option(help: "The address to listen on; the default keeps the app to this machine.") var host = "127.0.0.1"
    @Option(help: "The TCP port; 0 picks a free one (the printed URL says which).") var port = 8080

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        guard !host.isEmpty else { throw ValidationError("--host must name an address, e.g. 127.0.0.1") }
    }

    func run() throws {
        let path = options.path
        let app = WebApp(registry: try options.open(readOnly: true))
        try app.run(host: host, port: port) { url in
            // Written at once, not buffered: a script waits for this line to learn the port.
            FileHandle.standardOutput.write(Data("serving \(path) read-only at \(url)  (Ctrl-C stops)\n".utf8))
        }
    }
}

// Writes a Swift file holding each migration's identifier and SQL (used by the build plugin).
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrationsTool OUTPUT.swift FILE.sql...\n".utf8))
    exit(64)
}
var source = "// Generated from Migrations/*.sql by the EmbedMigrations build plugin. Do not edit.\n"
source += "enum EmbeddedMigrations {\n    /// (identifier, SQL) in the order they apply.\n    static let all: [(identifier: String, sql: String)] = [\n"
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    let sql = try String(contentsOf: url, encoding: .utf8)
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    let identifier = url.deletingPathExtension().lastPathComponent
    source += "        (\"\(identifier)\", \(hashes)\"\"\"\n\(sql)\n\"\"\"\(hashes)),\n"
}
source += "    ]\n}\n"
try source.write(toFile: output, atomically: true, encoding: .utf8)

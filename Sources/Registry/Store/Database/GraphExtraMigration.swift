import Foundation
import GRDB
import RegistryFormat

/// The Swift step of `0011_graph_extra_content`: each version's raw unknown SavedModel fields
/// (`graph_extra`) become a content, stored as a push stores bytes (`ContentWriter`), and the
/// raw column is dropped. An export writes the same bytes back from the content.
enum GraphExtraMigration {
    static let identifier = "0011_graph_extra_content"

    static func run(_ db: Database) throws {
        guard try db.columns(in: "versions").contains(where: { $0.name == "graph_extra" }) else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT id, graph_extra FROM versions WHERE graph_extra IS NOT NULL AND length(graph_extra) > 0")
        let writer = ContentWriter(db: db)
        for row in rows {
            let contentID = try writer.store([UInt8](row["graph_extra"] as Data))
            try db.execute(sql: "UPDATE versions SET graph_extra_id = ? WHERE id = ?", arguments: [contentID, row["id"] as Int64])
        }
        try db.execute(sql: "ALTER TABLE versions DROP COLUMN graph_extra")
    }
}

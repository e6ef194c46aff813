import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// Re-reads every stored byte of the chosen versions (all when nil): each chunk against its
    /// sha256 and recorded size, each content against its address, each tensor against its
    /// crc32c. Damaged items are listed, not thrown.
    public func verify(_ reference: VersionReference? = nil, progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws -> VerifyReport {
        try store.read { session in
            let versions = try reference.map { [try session.resolve($0)] } ?? session.versions()
            let total = try versions.reduce(Int64(0)) { $0 + (try session.tensorBytes(versionID: $1.id!)) }
            var check = VersionCheck(session: session, total: total, progress: progress)
            for version in versions { try check.run(version) }
            check.report.chunks = try session.chunkCount()
            return check.report
        }
    }
}

/// The checks `verify` runs on each version, and what they found so far.
private struct VersionCheck {
    let session: StoreSession
    let total: Int64
    let progress: (@Sendable (Int64, Int64) -> Void)?
    let reader: ContentReader
    var report = VerifyReport(versions: 0, tensors: 0, files: 0, chunks: 0, bytes: 0, problems: [])
    /// Contents already checked: nil when intact (their bytes need no second read).
    var verified: [Int64: String?] = [:]

    init(session: StoreSession, total: Int64, progress: (@Sendable (Int64, Int64) -> Void)?) {
        self.session = session
        self.total = total
        self.progress = progress
        reader = ContentReader(session, verifyHashes: true)
    }

    mutating func run(_ version: VersionRecord) throws {
        report.versions += 1
        let model = try session.modelName(id: version.modelID) ?? "?"
        var problems: [(String, String)] = []
        for graph in try session.metaGraphs(versionID: version.id!) {
            if let failure = check(graph.contentID, { _ in }) { problems.append(("meta graph {\(graph.tagSet)}", failure)) }
        }
        // A text graph is written back from its own content, not from the meta graphs above.
        if let textID = version.graphTextID, let failure = check(textID, { _ in }) {
            problems.append(("file \(SavedModelFile.textName)", failure))
        }
        for row in try session.tensors(versionID: version.id!) {
            report.tensors += 1
            do {
                if let failure = try check(row) { problems.append(("tensor '\(row.name)'", failure)) }
            } catch {
                problems.append(("tensor '\(row.name)'", (error as? StoreError)?.withoutAdvice ?? "\(error)"))  // its index entry
            }
        }
        for file in try session.files(versionID: version.id!) where !file.isFolder {
            report.files += 1
            guard let contentID = file.contentID else { continue }
            if let failure = check(contentID, { _ in }) { problems.append(("file \(file.path)", failure)) }
        }
        report.problems += problems.map { .init(model: model, version: version.number, item: $0.0, detail: $0.1) }
    }

    /// Streams a content through `body`, checking every chunk and the content's address;
    /// the failure in words, or nil.
    func check(_ contentID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) -> String? {
        do {
            try reader.stream(contentID, body)
            try session.checkAddress(contentID: contentID)
            return nil
        } catch let error as StoreError {
            return error.withoutAdvice
        } catch {
            return "\(error)"
        }
    }

    /// A tensor's bytes against its entry: size and crc32c (by the dtype's rule for strings).
    mutating func check(_ row: TensorRecord) throws -> String? {
        guard let contentID = row.contentID else { return nil }
        let entry = try row.bundleEntry()
        let fixedSize = entry.dtype.elementSize != nil
        if let known = verified[contentID], known == nil, fixedSize {
            return nil  // same bytes already checked (the crc is a function of the bytes)
        }
        var bytes: [UInt8] = [], crc: UInt32 = 0, size: Int64 = 0
        let done = report.bytes
        if let failure = check(contentID, { piece in
            size += Int64(piece.count)
            if fixedSize { crc = CRC32C.extend(crc, piece) } else { bytes.append(contentsOf: piece) }
            progress?(done + size, total)
        }) {
            verified[contentID] = .some(failure)
            return failure
        }
        report.bytes += size
        do {
            if fixedSize {
                try entry.checkStored(size: size, crc: crc, what: "stored tensor")
            } else {
                try entry.checkStored(bytes, what: "stored tensor")
            }
            verified[contentID] = .some(nil)
            return nil
        } catch {
            return error.withoutAdvice
        }
    }
}

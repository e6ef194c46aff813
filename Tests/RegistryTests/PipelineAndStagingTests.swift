import Foundation
import Synchronization
import Testing
import TestSupport
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryStore

/// The two building blocks every push and pull stands on: `OrderedPipeline` (results in
/// submission order, never more than `depth` jobs in flight) and `StagedFolder` (no reader
/// sees half a folder; `force` replaces; what a killed writer left is cleared).
@Suite struct PipelineAndStagingTests {
    /// Jobs that finish in scrambled order come back in submission order.
    @Test func resultsComeBackInSubmissionOrder() {
        let pipeline = OrderedPipeline<Int>(depth: 4)
        var results: [Int] = []
        for job in 0..<200 {
            if pipeline.isFull, let result = pipeline.next() { results.append(result) }
            pipeline.submit {
                usleep(useconds_t((job * 7919) % 13) * 100)  // later jobs often finish first
                return job
            }
        }
        while let result = pipeline.next() { results.append(result) }
        #expect(results == Array(0..<200))
        #expect(pipeline.inFlight == 0 && pipeline.next() == nil)
    }

    /// The owner that takes a result whenever the pipeline is full never has more than `depth`
    /// jobs started and unfinished, however slow the consumer or fast the workers.
    @Test func neverMoreThanDepthInFlight() {
        for depth in [1, 2, 3, 5] {
            let pipeline = OrderedPipeline<Int>(depth: depth)
            let running = Atomic<Int>(0), highest = Atomic<Int>(0)
            var taken = 0
            for job in 0..<60 {
                if pipeline.isFull { _ = pipeline.next(); taken += 1 }
                #expect(pipeline.inFlight < depth)
                pipeline.submit {
                    let now = running.add(1, ordering: .sequentiallyConsistent).newValue
                    highest.max(now, ordering: .sequentiallyConsistent)
                    usleep(job % 3 == 0 ? 2_000 : 200)
                    running.subtract(1, ordering: .sequentiallyConsistent)
                    return job
                }
                #expect(pipeline.inFlight <= depth)
            }
            while pipeline.next() != nil { taken += 1 }
            #expect(taken == 60)
            #expect(highest.load(ordering: .sequentiallyConsistent) <= depth, "depth \(depth)")
        }
    }

    /// While the body writes, the target does not exist; the staging folder is hidden beside it.
    @Test func nothingHalfWrittenIsVisible() throws {
        try withTemporaryDirectory { tmp in
            let target = tmp.path + "/model"
            var seenDuringWrite: [String] = []
            let written = try StagedFolder.write(to: target, force: false) { staging in
                try FileSystem.createDirectory(staging)
                try FileSystem.write([1, 2, 3], to: staging + "/part")
                #expect(!FileSystem.exists(target), "the target appeared before it was complete")
                seenDuringWrite = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
                #expect(PathLocation(staging).name.hasPrefix(".model.registry-"))
                return 3
            }
            #expect(written == 3)
            #expect(seenDuringWrite.count == 1 && seenDuringWrite[0].hasPrefix("."), "\(seenDuringWrite)")
            #expect(try fileBytes(target + "/part") == [1, 2, 3])
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["model"])
        }
    }

    /// An existing target is refused without `force` and replaced whole with it; a failing body
    /// leaves the old folder as it was and removes its staging and the parents it created.
    @Test func forceReplacesAndFailureLeavesThingsAsTheyWere() throws {
        try withTemporaryDirectory { tmp in
            let target = tmp.path + "/model"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try FileSystem.write([9], to: target + "/old")
            #expect(throws: InterchangeError.targetExists(path: target)) {
                try StagedFolder.write(to: target, force: false) { _ in Issue.record("the body ran"); return 0 }
            }
            struct Refused: Error {}
            #expect(throws: Refused.self) {
                try StagedFolder.write(to: target, force: true) { staging in
                    try FileSystem.createDirectory(staging)
                    throw Refused()
                }
            }
            #expect(try fileBytes(target + "/old") == [9])
            _ = try StagedFolder.write(to: target, force: true) { staging in
                try FileSystem.createDirectory(staging)
                try FileSystem.write([7], to: staging + "/new")
                return 1
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["new"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["model"], "the old folder moved aside is gone")

            let deep = tmp.path + "/base/seed/1"
            #expect(throws: Refused.self) {
                try StagedFolder.write(to: deep, force: false) { staging in
                    try FileSystem.createDirectory(staging)
                    throw Refused()
                }
            }
            #expect(!FileSystem.exists(tmp.path + "/base"), "the parents made for a failed write stay")
            _ = try StagedFolder.write(to: deep, force: false) { staging in try FileSystem.createDirectory(staging); return 0 }
            #expect(FileSystem.exists(deep))
        }
    }

    /// Staging folders of writers that were killed (their process is gone) are removed by the
    /// next write beside them; those of live processes and of other hosts are left alone.
    @Test func abandonedStagingIsRemoved() throws {
        try withTemporaryDirectory { tmp in
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/true")
            try child.run()
            child.waitUntilExit()  // a process id that is gone
            let prefix = ".model.registry-\(FileSystem.host)-"
            let abandoned = tmp.path + "/" + prefix + "\(child.processIdentifier)-1"
            let live = tmp.path + "/" + prefix + "\(getpid())-2"
            let otherHost = tmp.path + "/.model.registry-elsewhere-\(child.processIdentifier)-3"
            for folder in [abandoned, live, otherHost] { try FileManager.default.createDirectory(atPath: folder + "/x", withIntermediateDirectories: true) }
            _ = try StagedFolder.write(to: tmp.path + "/model", force: false) { staging in try FileSystem.createDirectory(staging); return 0 }
            #expect(!FileSystem.exists(abandoned))
            #expect(FileSystem.exists(live) && FileSystem.exists(otherHost))
        }
    }
}

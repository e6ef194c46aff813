import Foundation
import Testing
import TestSupport

/// Whether skopeo is there (or required: `make test` sets REGISTRY_REQUIRE_OCI=1).
let skopeoInstalled: Bool = {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo") || OCIServer.required { return true }
    print("skopeo mirror tests skipped: /usr/bin/skopeo is missing (make deps)")
    return false
}()

/// OCI clients that are not ours read and copy what `push --to` stores: `skopeo inspect --raw`
/// gives the manifest whose digest is the version's digest, `skopeo copy` mirrors it from one
/// docker-registry to another, and `registry pull` from the mirror exports the same bytes.
@Suite(.enabled(if: OCIServer.enabled && skopeoInstalled, "needs docker-registry and skopeo (make deps)"))
struct RemoteMirrorTests {
    @Test func skopeoReadsAndMirrorsAVersionThatPullsBackByteForByte() throws {
        let source = try OCIServer(), mirror = try OCIServer()
        defer { source.cleanup(); mirror.cleanup() }
        let cli = try CLI(), other = try CLI()
        defer { cli.cleanup(); other.cleanup() }
        let remote = RemoteDriver(cli: cli)
        // Several packs: the seed fixture with a 40 MiB asset.
        let folder = try largeSavedModel(in: cli.tmp.path, megabytes: 40)
        let local = try remote.json("push", folder, "big")
        let pushed = try remote.json("push", "big", "--to", source.url("team/big", tag: "v1"))
        try #require(pushed.int("packs") ?? 0 >= 2, "\(pushed)")
        let digest = try #require(pushed["digest"] as? String)
        #expect(digest == local["digest"] as? String)

        let raw = try runProcess("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(source.host)/team/big:v1"])
        try #require(raw.status == 0, "\(raw)")
        #expect("sha256:" + sha256Hex([UInt8](raw.stdout)) == digest, "skopeo reads another manifest")

        let copied = try runProcess("/usr/bin/skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                                                        "docker://\(source.host)/team/big:v1", "docker://\(mirror.host)/mirror/big:v1"])
        try #require(copied.status == 0, "\(copied)")

        let pulled = try #require(try RemoteDriver(cli: other).json("pull", mirror.url("mirror/big", tag: "v1"), "copy", "-o",
                                                                     other.tmp.path + "/out")["pull"] as? [String: Any])
        #expect(pulled["digest"] as? String == digest, "the mirror holds another manifest: \(pulled)")
        let tree = try Tree(folder)
        #expect(try Tree(other.tmp.path + "/out") == tree)
        for file in tree.files {
            #expect(try fileBytes(other.tmp.path + "/out/" + file) == fileBytes(folder + "/" + file), "\(file) differs")
        }
        let shown = try RemoteDriver(cli: other).json("show", "copy")
        #expect((shown["provenance"] as? [String: Any])?["digest"] as? String == digest)
    }
}

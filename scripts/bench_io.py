"""`make bench`, second part: the registry against TensorFlow and the disk, whole processes.

    bench_io.py hashes                      (for registry-bench) hashlib/BLAKE3/xxh3 per 1 MiB chunk, JSON
    bench_io.py run --registry BIN --bench BIN --shared DIR [--reps 3] [--sizes 16,256,1024] [--keep]

`run` works in a fresh folder under /tmp (removed at the end unless --keep) and prints:
  1. SavedModels of 16 MiB, 256 MiB and 1 GiB of random-normal float32 and a trained ~64 MiB
     MLP, made by TensorFlow: tf.saved_model.save and tf.saved_model.load + .numpy() of every
     variable (inside Python, scripts/bench_models_tf.py), `cp -r` + `sync`, `registry push`
     into a fresh registry and `registry pull` (whole processes under /usr/bin/time -v, for the
     peak RSS); medians of REPS runs after one warm-up; stored/raw from the registry file;
  2. training history: a 20-checkpoint `registry train` run of the seed network, and a
     20-checkpoint Adam run of a ~64 MiB MLP written by tf.train.CheckpointManager then pushed,
     stored bytes against 20x one checkpoint;
  3. stored/raw of every tensor of the fixture large_weights;
  4. `registry ls --tag serve` (and --json) over 10,000 versions against the 50 ms target;
  5. remotes: `push --to` and `pull oci://` of the 1 GiB SavedModel to and from a docker-registry
     on loopback beside `skopeo copy` of the same bytes as one OCI image layer (oci: layout to
     the registry and back), in turns; the bytes a push re-sends when one tensor changed; the
     manifest's size.
  6. `registry ui` over 100,000 versions (1,000 pushed, their rows copied 99 times in SQL):
     each page's and API route's time on the server (its Server-Timing header) and the whole
     request, median of 5 after a warm-up, against 100 ms.
cp, push and pull take turns (the disk's speed drifts), and push/cp, pull/cp are the medians
of each turn's ratio. Page caches are not dropped: every figure is warm (one untimed warm-up run first), and `sync`
runs, untimed, before every timed run so that no earlier dirty page is flushed inside it.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


# ---------------------------------------------------------------- hashes (called by registry-bench)

def hashes():
    import hashlib
    from concurrent.futures import ThreadPoolExecutor
    data = os.urandom(64 * MIB)
    view = memoryview(data)
    chunks = [view[i:i + MIB] for i in range(0, len(data), MIB)]
    candidates = [("hashlib.sha256 (OpenSSL)", lambda c: hashlib.sha256(c).digest())]
    try:
        import blake3
        candidates.append(("blake3", lambda c: blake3.blake3(c).digest()))
    except ImportError:
        print("blake3 is not installed in this venv", file=sys.stderr)
    try:
        import xxhash
        candidates.append(("xxh3_128 (xxhash)", lambda c: xxhash.xxh3_128_digest(c)))
    except ImportError:
        print("xxhash is not installed in this venv", file=sys.stderr)
    rows = []
    cores = os.cpu_count() or 1

    def timed(body):
        times = []
        for _ in range(8):
            start = time.perf_counter()
            body()
            times.append(time.perf_counter() - start)
        return len(data) / median(times[1:]) / 1e9

    for name, digest in candidates:
        rows.append({"name": "python " + name + ", 1 thread", "gbps": timed(lambda: [digest(c) for c in chunks])})
    # Both cores: each of these releases the GIL while hashing a large buffer.
    with ThreadPoolExecutor(cores) as pool:
        for name, digest in candidates:
            rows.append({"name": "python %s, %d threads" % (name, cores),
                         "gbps": timed(lambda: list(pool.map(digest, chunks)))})
    print(json.dumps(rows))


# ---------------------------------------------------------------- helpers

class Bench:
    def __init__(self, args):
        self.registry = args.registry
        self.bench = args.bench
        self.shared = args.shared
        self.reps = args.reps
        self.python = sys.executable
        self.work = tempfile.mkdtemp(prefix="registry-bench-", dir="/tmp")
        self.env = dict(os.environ, REGISTRY_NO_PROGRESS="1", TF_CPP_MIN_LOG_LEVEL="3")

    def run(self, argv, **kwargs):
        result = subprocess.run(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
        if result.returncode != 0:
            raise RuntimeError("%s failed (exit %d):\n%s%s" % (" ".join(argv), result.returncode,
                                                               result.stdout[-2000:], result.stderr[-4000:]))
        return result.stdout

    def tf(self, *argv):
        out = self.run([self.python, os.path.join(HERE, "bench_models_tf.py")] + [str(a) for a in argv])
        return json.loads(out.strip().splitlines()[-1])

    def timed(self, argv):
        """Wall seconds of a whole process, and its peak RSS in bytes (from /usr/bin/time -v)."""
        subprocess.run(["sync"])
        report = os.path.join(self.work, "time.txt")
        start = time.perf_counter()
        out = self.run(["/usr/bin/time", "-v", "-o", report] + argv)
        seconds = time.perf_counter() - start
        with open(report) as f:
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1)) * 1024
        return seconds, rss, out

    def path(self, *names):
        return os.path.join(self.work, *names)

    def fresh(self, path):
        """Removes a file or folder of this run's work folder (and a registry's -wal/-shm)."""
        assert os.path.abspath(path).startswith(self.work + "/")
        if os.path.isdir(path):
            shutil.rmtree(path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.isfile(path + suffix):
                os.remove(path + suffix)


def paired(times, baselines):
    """The median of each repetition's ratio (warm-up left out): drift hits both sides alike."""
    return median([t / c for t, c in zip(times[1:], baselines[1:])])


def durable_write(path, size, interval=16 * MIB):
    """Seconds to write `size` bytes from memory into a new file in 1 MiB writes, fdatasync'd
    on a second thread every `interval` (as `WritebackTrigger` does) and once at the end."""
    import threading
    block = os.urandom(MIB)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    pending = threading.Semaphore(0)
    done = []

    def flusher():
        while True:
            pending.acquire()
            if done:
                return
            os.fdatasync(fd)

    thread = threading.Thread(target=flusher)
    start = time.perf_counter()
    thread.start()
    written = 0
    while written < size:
        n = os.pwrite(fd, block[:min(MIB, size - written)], written)
        written += n
        if written % interval < n:
            pending.release()
    done.append(True)
    pending.release()
    thread.join()
    os.fdatasync(fd)
    seconds = time.perf_counter() - start
    os.close(fd)
    return seconds


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def chunk_totals(db):
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        raw, stored, count = con.execute("SELECT SUM(raw_size), SUM(stored_size), COUNT(*) FROM chunks").fetchone()
    return raw or 0, stored or 0, count


def columns(con, table):
    return {row[1] for row in con.execute("PRAGMA table_info(%s)" % table)}


def version_raw_bytes(con, version_id):
    """Every byte a version stands for: tensors, other files, MetaGraphDefs (each as its content)."""
    return con.execute("""
        SELECT COALESCE(SUM(c.size), 0) FROM (
            SELECT content_id FROM tensors WHERE version_id = ?1 AND content_id IS NOT NULL
            UNION ALL SELECT content_id FROM files WHERE version_id = ?1 AND content_id IS NOT NULL
            UNION ALL SELECT content_id FROM meta_graphs WHERE version_id = ?1) AS x
        JOIN contents c ON c.id = x.content_id""", (version_id,)).fetchone()[0]


def tensor_chunk_bytes(con):
    """Stored bytes of the distinct chunks tensors refer to, with the bases of XOR deltas."""
    base = "base_id" in columns(con, "chunks")
    sql = """
        WITH RECURSIVE used(id) AS (
            SELECT DISTINCT cc.chunk_id FROM tensors t JOIN content_chunks cc ON cc.content_id = t.content_id
            %s)
        SELECT COALESCE(SUM(stored_size), 0), COALESCE(SUM(raw_size), 0) FROM chunks WHERE id IN (SELECT id FROM used)
        """ % ("UNION SELECT ch.base_id FROM chunks ch JOIN used ON ch.id = used.id WHERE ch.base_id IS NOT NULL" if base else "")
    return con.execute(sql).fetchone()


def fmt_s(seconds):
    return "%.3f s" % seconds if seconds < 10 else "%.1f s" % seconds


def fmt_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1024)):
        if n >= size:
            return "%.1f %s" % (n / size, unit)
    return "%d B" % n


def table(header, rows, note=None):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header))
    for r in rows:
        print(line(r))
    if note:
        print(note)
    sys.stdout.flush()


def ratio(value, limit, fmt="%.2fx"):
    """A ratio against its target, with '!' when the target is missed."""
    return (fmt % value) + ("" if limit is None or value <= limit else "!")


# ---------------------------------------------------------------- 1. push and pull against TensorFlow and cp

def models(b, sizes):
    cases = [("%s MiB random" % s if s < 1024 else "%d GiB random" % (s // 1024), s, None) for s in sizes]
    cases.append(("64 MiB trained MLP", 64, 40))
    rows = []
    for label, mib, trained in cases:
        name = "model-%d%s" % (mib, "-trained" if trained else "")
        folder = b.path(name)
        argv = ["save", folder, mib, b.reps] + (["--trained", trained] if trained else [])
        save = b.tf(*argv)["save"]
        load = b.tf("load", folder, b.reps)["load"]
        raw = folder_bytes(folder)

        # cp, push and pull take turns within each repetition: this VM's disk speed drifts by 2x
        # over minutes, and blocks of one kind at a time turned that drift into their ratios.
        # Each run also writes into memory freed just before it (its predecessor's output is
        # removed right before it starts): the VM hands memory freed more than ~2 s earlier back
        # to its host (virtio-balloon free page reporting), and writing 1 GiB into such pages
        # took 2.5 s of system time against 0.2 s into pages freed a moment before.
        copy, disk, push, pull, push_rss, pull_rss, stats = [], [], [], [], [], [], None
        target, db = b.path(name + ".copy"), b.path(name + ".db")
        for i in range(b.reps + 1):
            b.fresh(target)
            subprocess.run(["sync"])
            start = time.perf_counter()
            subprocess.run(["cp", "-r", folder, target], check=True)
            subprocess.run(["sync"], check=True)
            copy.append(time.perf_counter() - start)
            # The disk's floor: as many bytes written from memory and made durable the way a
            # pull writes them (flushed every 16 MiB as they go, then fsynced), which a pull
            # cannot beat, since it writes every byte durably too.
            b.fresh(target)
            subprocess.run(["sync"])
            disk.append(durable_write(target, raw))
            os.remove(target)
            b.fresh(db)
            seconds, rss, out = b.timed([b.registry, "push", "--registry", db, folder, "m", "--json"])
            push.append(seconds)
            push_rss.append(rss)
            stats = json.loads(out)["statistics"]
            b.fresh(target)
            seconds, rss, _ = b.timed([b.registry, "pull", "--registry", db, "m:1", "-o", target])
            pull.append(seconds)
            pull_rss.append(rss)
        pulled = folder_bytes(target)
        if pulled != raw:
            print("warning: %s pulled %d bytes of %d" % (label, pulled, raw))
        chunk_raw, chunk_stored, _ = chunk_totals(db)
        for path in (folder, target, db):
            b.fresh(path)

        push_s, pull_s, copy_s, disk_s = median(push[1:]), median(pull[1:]), median(copy[1:]), median(disk[1:])
        big = mib >= 256
        rows.append([label, fmt_s(save), fmt_s(load), fmt_s(copy_s), fmt_s(disk_s), "%.2fx" % paired(disk, copy),
                     "%.2fx" % (disk_s / load), fmt_s(push_s), fmt_s(pull_s),
                     ratio(push_s / save, 0.5 if big else None), ratio(paired(push, copy), 1.5 if big else None),
                     ratio(pull_s / load, 0.8 if big else None), ratio(paired(pull, copy), 0.8 if big else None),
                     ratio(max(push_rss) / MIB, 64 if mib >= 1024 else None, "%.0f MiB"),
                     ratio(max(pull_rss) / MIB, 64 if mib >= 1024 else None, "%.0f MiB"),
                     "%.3f" % (chunk_stored / chunk_raw if chunk_raw else 0)])
        print("  %s done: raw %s, push %s (%.0f MB/s), pull %s (%.0f MB/s), push statistics stored/raw %.3f"
              % (label, fmt_bytes(raw), fmt_s(push_s), raw / push_s / 1e6, fmt_s(pull_s), raw / pull_s / 1e6,
                 stats["storedBytes"] / max(stats["rawBytes"], 1)))
        sys.stdout.flush()
    print("")
    table(["model (float32)", "TF save", "TF load+read", "cp+sync", "disk floor", "floor/cp", "floor/TFload", "push", "pull",
           "push/TFsave", "push/cp",
           "pull/TFload", "pull/cp", "push RSS", "pull RSS", "stored/raw"], rows,
          "targets (256 MiB and 1 GiB; issue 19): push/TFsave <= 0.5, push/cp <= 1.5, pull/TFload <= 0.8, pull/cp <= 0.8; "
          "RSS of the 1 GiB push and pull <= 64 MiB; '!' marks a missed target.\n"
          "medians of %d runs after a warm-up (cp, push and pull in turns; push/cp and pull/cp are medians of "
          "each turn's ratio); TF inside Python (import not counted, no fsync); push and pull "
          "whole processes, pull fsyncs; RSS is the largest of the runs; stored/raw = chunks' stored over raw bytes.\n"
          "disk floor: as many bytes written from memory into a new file and made durable as a pull does (fdatasync every "
          "16 MiB on a second thread, then once more), in the same turns: a pull writes every byte durably too, so pull/cp "
          "and pull/TFload cannot go far below floor/cp and floor/TFload."
          % b.reps)


# ---------------------------------------------------------------- 5. remotes

class LoopbackRegistry:
    """docker-registry on 127.0.0.1 at a free port, storage in the bench's work folder."""

    def __init__(self, b):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.storage = b.path("oci-storage")
        config = b.path("oci-config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n"
                    "    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%d\n  secret: bench\n"
                    % (self.storage, self.port))
        self.process = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("docker-registry did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()


def oci_layout(folder, layer_path):
    """An OCI image layout holding one image whose one layer is the bytes of `layer_path`."""
    import hashlib
    os.makedirs(os.path.join(folder, "blobs", "sha256"))
    digest = hashlib.sha256()
    with open(layer_path, "rb") as f:
        for piece in iter(lambda: f.read(8 * MIB), b""):
            digest.update(piece)
    layer = digest.hexdigest()
    shutil.copyfile(layer_path, os.path.join(folder, "blobs", "sha256", layer))

    def blob(data):
        name = hashlib.sha256(data).hexdigest()
        with open(os.path.join(folder, "blobs", "sha256", name), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + name, "size": len(data)}

    config = blob(json.dumps({"architecture": "amd64", "os": "linux",
                              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer]}}).encode())
    manifest = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + layer,
                                            "size": os.path.getsize(layer_path)}]}).encode())
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(manifest, mediaType="application/vnd.oci.image.manifest.v1+json",
                                                            annotations={"org.opencontainers.image.ref.name": "bench"})]}, f)
    with open(os.path.join(folder, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def remote(b, mib=1024):
    if not shutil.which("skopeo") or not shutil.which("docker-registry"):
        print("remotes: skopeo or docker-registry missing (make deps); skipped")
        return
    folder, variant = b.path("remote-model"), b.path("remote-model-2")
    b.tf("save", folder, mib, 1)
    changed = b.tf("vary", folder, variant)
    db = b.path("remote.db")
    b.run([b.registry, "push", "--registry", db, folder, "m"])
    b.run([b.registry, "push", "--registry", db, variant, "m"])
    data = [os.path.join(folder, "variables", n) for n in os.listdir(os.path.join(folder, "variables")) if ".data-" in n][0]
    layout = b.path("remote-layout")
    oci_layout(layout, data)
    layer = os.path.getsize(data)
    tls = ["--src-tls-verify=false", "--dest-tls-verify=false"]
    push, pull, sko_push, sko_pull, push_rss, pull_rss, sko_push_rss, sko_pull_rss = [], [], [], [], [], [], [], []
    first = second = None
    # Each turn starts a server of its own on empty storage: skopeo remembers where it saw a
    # blob and mounts it from there instead of sending it (0.19 s for the "copy" of 1 GiB).
    for i in range(b.reps + 1):
        server = LoopbackRegistry(b)
        url = "127.0.0.1:%d" % server.port
        try:
            seconds, rss, out = b.timed([b.registry, "push", "--registry", db, "m:1", "--to", "oci+http://%s/reg:v1" % url, "--json"])
            push.append(seconds)
            push_rss.append(rss)
            first = first or json.loads(out)
            seconds, rss, _ = b.timed(["skopeo", "copy", "--quiet"] + tls + ["oci:%s:bench" % layout, "docker://%s/sko:v1" % url])
            sko_push.append(seconds)
            sko_push_rss.append(rss)
            pulled = b.path("remote-pulled.db")
            b.fresh(pulled)
            seconds, rss, _ = b.timed([b.registry, "pull", "--registry", pulled, "oci+http://%s/reg:v1" % url])
            pull.append(seconds)
            pull_rss.append(rss)
            target = b.path("remote-sko-pulled")
            b.fresh(target)
            seconds, rss, _ = b.timed(["skopeo", "copy", "--quiet"] + tls + ["docker://%s/sko:v1" % url, "oci:%s:bench" % target])
            sko_pull.append(seconds)
            sko_pull_rss.append(rss)
            if second is None:
                second = json.loads(b.run([b.registry, "push", "--registry", db, "m:2", "--to", "oci+http://%s/reg:v2" % url, "--json"]))
        finally:
            server.stop()
            shutil.rmtree(server.storage, ignore_errors=True)
    push_s, pull_s, sko_push_s, sko_pull_s = median(push[1:]), median(pull[1:]), median(sko_push[1:]), median(sko_pull[1:])
    print("")
    table(["1 GiB to/from docker-registry (loopback)", "time", "MB/s", "peak RSS", "ratio (this / skopeo copy)"], [
        ["registry push --to (%d packs)" % first["packs"], fmt_s(push_s), "%.0f" % (first["bytesSent"] / push_s / 1e6),
         "%.0f MiB" % (max(push_rss) / MIB), ratio(paired(push, sko_push), 1)],
        ["skopeo copy oci: -> docker:// (1 layer)", fmt_s(sko_push_s), "%.0f" % (layer / sko_push_s / 1e6),
         "%.0f MiB" % (max(sko_push_rss) / MIB), "1.00x"],
        ["registry pull oci://", fmt_s(pull_s), "%.0f" % (first["bytesSent"] / pull_s / 1e6), "%.0f MiB" % (max(pull_rss) / MIB),
         ratio(paired(pull, sko_pull), 1)],
        ["skopeo copy docker:// -> oci:", fmt_s(sko_pull_s), "%.0f" % (layer / sko_pull_s / 1e6), "%.0f MiB" % (max(sko_pull_rss) / MIB),
         "1.00x"],
    ], "target: push and pull no slower than skopeo's copy (ratio <= 1); medians of %d turns after a warm-up, each turn "
       "push, skopeo push, pull, skopeo pull; the pull records the version in a fresh registry (fsynced commits), skopeo "
       "writes an OCI layout." % b.reps)
    print("one tensor changed (%s, %s): push --to re-sent %s in %d of %d packs (%s skipped); manifest %s, config %s"
          % (changed["changed"], fmt_bytes(changed["bytes"]), fmt_bytes(second["bytesSent"]), second["blobsSent"], second["packs"],
             fmt_bytes(second["bytesSkipped"]), fmt_bytes(second["manifestBytes"]), fmt_bytes(second["configBytes"])))
    for path in (folder, variant, db, layout, b.path("remote-pulled.db"), b.path("remote-sko-pulled")):
        b.fresh(path) if os.path.exists(path) and not os.path.isdir(path) else shutil.rmtree(path, ignore_errors=True)
    sys.stdout.flush()


# ---------------------------------------------------------------- 2. training history

def history(b):
    rows = []
    # (a) the seed network trained by `registry train`: 20 checkpoints, all kept.
    db = b.path("seed-run.db")
    start = time.perf_counter()
    b.run([b.registry, "train", "--registry", db, "seed-run", "--epochs", "400", "--save-every", "1000",
           "--max-to-keep", "20", "--print-every", "1000"])
    train_s = time.perf_counter() - start
    rows.append(history_row(db, "seed network, registry train (400 epochs, every 1000 steps)", train_s))
    b.fresh(db)

    # (b) a ~64 MiB MLP trained with Adam in TensorFlow, 20 checkpoints of CheckpointManager, pushed.
    folder = b.path("adam-run")
    run = b.tf("ckpt-run", folder, 20, 5)
    db = b.path("adam-run.db")
    # cp -r + sync of the same folder just before, the floor of a durable push (target <= 1.5x).
    copy = b.path("adam-run.copy")
    subprocess.run(["sync"])
    start = time.perf_counter()
    subprocess.run(["cp", "-r", folder, copy], check=True)
    subprocess.run(["sync"], check=True)
    copy_s = time.perf_counter() - start
    b.fresh(copy)
    subprocess.run(["sync"])
    start = time.perf_counter()
    out = b.run([b.registry, "push", "--registry", db, folder, "adam-run", "--json"])
    push_s = time.perf_counter() - start
    pushed = json.loads(out)
    if isinstance(pushed, dict):
        pushed = [pushed]
    rows.append(history_row(db, "64 MiB MLP, TF Adam, CheckpointManager, pushed (5 steps apart)", push_s))
    slots = slot_breakdown(db)
    print("  TF run: %d checkpoints, loss %.3f -> %.3f, %s training, %s saving; push of the folder (%s): %s, %.0f MB/s;"
          " cp -r + sync %s, push/cp %s (target <= 1.5x)"
          % (run["checkpoints"], run["first_loss"], run["last_loss"], fmt_s(run["train"]), fmt_s(run["save"]),
             fmt_bytes(folder_bytes(folder)), fmt_s(push_s), folder_bytes(folder) / push_s / 1e6,
             fmt_s(copy_s), ratio(push_s / copy_s, 1.5)))
    b.fresh(folder)
    b.fresh(db)
    print("")
    print("  Adam run by variable kind, stored over raw of all 20 checkpoints: " + ", ".join(
        "%s %.3fx (%s raw)" % (kind, stored / raw, fmt_bytes(raw)) for kind, (raw, stored) in slots if raw))
    table(["training history (20 checkpoints)", "versions", "one ckpt raw", "20x one", "stored (all chunks)",
           "stored/20x", "tensor bytes/ckpt", "tensor chunks stored", "tensors stored/20x", "time"], rows,
          "target: stored <= 0.7x of 20x one checkpoint for the Adam runs; 'one' is the latest checkpoint "
          "(tensors, files, MetaGraphDefs); time is the whole `registry train` or `registry push`.")


def slot_breakdown(db):
    """Stored over raw bytes per kind of tensor (weights, Adam's m and v, the rest) over every
    version of the Adam run, counting each chunk once for the kind whose tensors use it."""
    kinds = [("weights", []), ("Adam m", []), ("Adam v", []), ("other", [])]
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        raw = dict((k, 0) for k, _ in kinds)
        contents = dict((k, set()) for k, _ in kinds)
        for key, size, content in con.execute("SELECT key, size, content_id FROM tensors WHERE content_id IS NOT NULL"):
            key = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
            # tf.train.Checkpoint(model=..., m=..., v=...) of scripts/bench_models_tf.py.
            kind = {"model": "weights", "m": "Adam m", "v": "Adam v"}.get(key.split("/")[0], "other")
            raw[kind] += size
            contents[kind].add(content)
        out = []
        for kind, _ in kinds:
            ids = sorted(contents[kind])
            stored = 0
            if ids:
                marks = ",".join("?" * len(ids))
                stored = con.execute("SELECT COALESCE(SUM(stored_size), 0) FROM chunks WHERE id IN "
                                     "(SELECT DISTINCT chunk_id FROM content_chunks WHERE content_id IN (%s))" % marks, ids).fetchone()[0]
            out.append((kind, (raw[kind], stored)))
        return out


def history_row(db, label, seconds):
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        versions = con.execute("SELECT id FROM versions ORDER BY id").fetchall()
        last = versions[-1][0]
        one = version_raw_bytes(con, last)
        tensor_one = con.execute("SELECT COALESCE(SUM(size), 0) FROM tensors WHERE version_id = ?", (last,)).fetchone()[0]
        tensor_stored, _ = tensor_chunk_bytes(con)
    _, stored, _ = chunk_totals(db)
    n = len(versions)
    return [label, n, fmt_bytes(one), fmt_bytes(20 * one), fmt_bytes(stored), ratio(stored / (20 * one), 0.7, "%.3fx"),
            fmt_bytes(tensor_one), fmt_bytes(tensor_stored), ratio(tensor_stored / (20 * tensor_one), 0.7, "%.3fx"),
            fmt_s(seconds)]


# ---------------------------------------------------------------- 3. per-tensor stored/raw of large_weights

DTYPE_NAMES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 6: "int8", 7: "string", 9: "int64", 10: "bool",
               14: "bfloat16", 19: "float16"}


def large_weights(b):
    import numpy as np
    folder = os.path.join(b.shared, "fixtures", "tf2.21", "large_weights")
    db = b.path("large.db")
    b.run([b.registry, "push", "--registry", db, folder, "large", "--json"])
    dtypes = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 14: np.uint16, 19: np.float16}
    with open(os.path.join(folder, "variables", "variables.data-00000-of-00001"), "rb") as f:
        data = f.read()
    rows = []
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
        cols = columns(con, "chunks")
        delta = "SUM(ch.base_id IS NOT NULL)" if "base_id" in cols else "0"
        for name, dtype, offset, size, raw, stored, filters, deltas, count in con.execute("""
                SELECT t.name, t.dtype, t.offset, t.size, SUM(ch.raw_size), SUM(ch.stored_size),
                       GROUP_CONCAT(DISTINCT ch.filter), %s, COUNT(*)
                FROM tensors t JOIN content_chunks cc ON cc.content_id = t.content_id JOIN chunks ch ON ch.id = cc.chunk_id
                GROUP BY t.id ORDER BY t.size DESC, t.name""" % delta):
            content = ""
            if dtype in dtypes:
                values = np.frombuffer(data[offset:offset + size], dtype=dtypes[dtype])
                content = "%d distinct, %.0f%% zeros" % (len(np.unique(values)), 100 * np.mean(values == 0))
            rows.append([name, DTYPE_NAMES.get(dtype, str(dtype)), fmt_bytes(raw), fmt_bytes(stored), "%.3f" % (stored / raw), count,
                         ",".join(sorted(str(filters).split(","))), deltas, content])
    b.fresh(db)
    print("")
    table(["large_weights tensor", "dtype", "raw", "stored", "stored/raw", "chunks", "filters", "deltas", "content"],
          rows, "filters: 0 raw, 1 LZ4, 2 byte planes + LZ4 (read only), 3 byte planes each raw, LZ4 or ranked bit planes, 4 the same over the difference from the parent (as recorded per chunk); baseline: raw (1.000).")


# ---------------------------------------------------------------- 4. ls over 10,000 versions

def listing(b, models=100, versions=100):
    fixtures = os.path.join(b.shared, "fixtures", "tf2.21")
    db = b.path("ls.db")
    out = b.run([b.bench, "populate", db, str(models), str(versions),
                 os.path.join(fixtures, "keras_tf2"), os.path.join(fixtures, "seed_mlp_training")])
    populate = json.loads(out.strip().splitlines()[-1])
    rows = []
    for flags in ([], ["--json"]):
        times, lines = [], 0
        for i in range(6):
            start = time.perf_counter()
            out = b.run([b.registry, "ls", "--registry", db, "--tag", "serve"] + flags)
            times.append(time.perf_counter() - start)
        listed = len(json.loads(out)) if flags else len(out.splitlines()) - 1
        seconds = median(times[1:])
        rows.append(["registry ls --tag serve " + " ".join(flags), populate["versions"], listed,
                     "%.1f ms" % (seconds * 1e3), "50 ms", ratio(seconds / 0.05, 1)])
    print("  populated %d versions (%d models, half {serve}, half {train}) in %s through the library; registry file %s"
          % (populate["versions"], models, fmt_s(populate["seconds"]), fmt_bytes(os.path.getsize(db))))
    b.fresh(db)
    print("")
    table(["listing (whole process, median of 5)", "versions", "listed", "time", "target", "time/target"], rows)


# ---------------------------------------------------------------- 5. registry ui over 100,000 versions

UI_ROUTES = [
    ("models page", "/"),
    ("models page, last page", "/?offset=50"),
    ("models page, --tag serve", "/?tag=serve"),
    ("models page, --label bench=train", "/?label=bench%3Dtrain"),
    ("model page (latest 50 of 1,000)", "/models/serve-000"),
    ("model page, first 50", "/models/serve-000?offset=0"),
    ("model page with curve (1,000 checkpoints)", "/models/train-099"),
    ("version page", "/models/serve-000:500"),
    ("diff page", "/diff?from=train-099:1&to=train-099:1000"),
    ("search, tensor names", "/search?q=kernel"),
    ("search, nothing matches", "/search?q=zzzz"),
    ("/api/ls (first 100)", "/api/ls"),
    ("/api/ls (last 100)", "/api/ls?offset=99900"),
    ("/api/ls?tag=serve", "/api/ls?tag=serve"),
    ("/api/models", "/api/models"),
    ("/api/history (last 100)", "/api/history?model=serve-000&offset=900"),
    ("/api/curve", "/api/curve?model=train-099"),
    ("/api/show", "/api/show?ref=serve-000%40latest"),
    ("/api/search", "/api/search?q=bench"),
]


def amplify(db, copies):
    """Copies every version's rows `copies` times in SQL, each copy numbered after the model's
    last version: the same registry, `copies + 1` times as long. 100,000 pushes would take
    hours (each commits with fsyncs: ~0.1-0.3 s here); the copies share the pushed versions'
    contents, as dedup would have them share. Tensor counts and bytes come from the triggers."""
    con = sqlite3.connect(db)
    with con:
        per_model = con.execute("SELECT MAX(number) FROM versions").fetchone()[0]
        offsets = {t: con.execute("SELECT MAX(id) FROM %s" % t).fetchone()[0] for t in ("versions", "meta_graphs", "signatures")}

        def copy(table, c, shift):
            cols = [row[1] for row in con.execute("PRAGMA table_info(%s)" % table)]
            values = [shift.get(col, col).format(c=c) for col in cols]
            con.execute("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s" % (
                table, ", ".join(cols), ", ".join(values), table, shift.get("_where", "1").format(c=c)))

        v, g, sg = offsets["versions"], offsets["meta_graphs"], offsets["signatures"]
        for c in range(1, copies + 1):
            copy("versions", c, {"id": "id + %d * {c}" % v, "number": "number + %d * {c}" % per_model, "parent_id": "NULL",
                                 "global_step": "global_step + %d * {c}" % (per_model * 100), "created_at": "created_at + {c}",
                                 "tensor_count": "0", "tensor_bytes": "0", "_where": "id <= %d" % v})
            copy("meta_graphs", c, {"id": "id + %d * {c}" % g, "version_id": "version_id + %d * {c}" % v, "_where": "id <= %d" % g})
            copy("meta_graph_tags", c, {"meta_graph_id": "meta_graph_id + %d * {c}" % g, "_where": "meta_graph_id <= %d" % g})
            copy("signatures", c, {"id": "id + %d * {c}" % sg, "meta_graph_id": "meta_graph_id + %d * {c}" % g, "_where": "id <= %d" % sg})
            copy("signature_tensors", c, {"signature_id": "signature_id + %d * {c}" % sg, "_where": "signature_id <= %d" % sg})
            copy("collections", c, {"meta_graph_id": "meta_graph_id + %d * {c}" % g, "_where": "meta_graph_id <= %d" % g})
            copy("tensors", c, {"id": "NULL", "version_id": "version_id + %d * {c}" % v, "_where": "version_id <= %d" % v})
            copy("files", c, {"version_id": "version_id + %d * {c}" % v, "_where": "version_id <= %d" % v})
            copy("labels", c, {"version_id": "version_id + %d * {c}" % v, "_where": "version_id <= %d" % v})
        con.execute("UPDATE models SET last_number = (SELECT MAX(number) FROM versions WHERE model_id = models.id)")
    count = con.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    con.close()
    return count


def ui(b, models=100, pushed=10, copies=99):
    import urllib.request
    fixtures = os.path.join(b.shared, "fixtures", "tf2.21")
    db = b.path("ui.db")
    out = b.run([b.bench, "populate", db, str(models), str(pushed),
                 os.path.join(fixtures, "keras_tf2"), os.path.join(fixtures, "seed_mlp_training"), "--metrics"])
    populate = json.loads(out.strip().splitlines()[-1])
    start = time.perf_counter()
    populate["versions"] = amplify(db, copies)
    amplified = time.perf_counter() - start
    server = subprocess.Popen([b.registry, "ui", "--registry", db, "--port", "0"], stdout=subprocess.PIPE, text=True, env=b.env)
    try:
        url = re.search(r"http://\S+/", server.stdout.readline()).group(0).rstrip("/")
        rows = []
        for name, path in UI_ROUTES:
            server_ms, cpu_ms, total_ms, size = [], [], [], 0
            for i in range(6):
                start = time.perf_counter()
                with urllib.request.urlopen(url + path, timeout=60) as response:
                    size = len(response.read())
                    timing = response.headers["Server-Timing"]
                total_ms.append((time.perf_counter() - start) * 1e3)
                server_ms.append(float(re.search(r"app;dur=([0-9.]+)", timing).group(1)))
                cpu_ms.append(float(re.search(r"cpu;dur=([0-9.]+)", timing).group(1)))
            seconds = median(server_ms[1:]) / 1e3
            rows.append([name, path, fmt_bytes(size), "%.1f ms" % (seconds * 1e3), "%.1f ms" % median(cpu_ms[1:]),
                         "%.1f ms" % median(total_ms[1:]),
                         "100 ms", ratio(seconds / 0.1, 1)])
    finally:
        server.terminate()
        server.wait()
    print("  %d versions (%d models of %d; the {train} half with a global step, loss and accuracy per version): %d pushed "
          "through the library in %s, then copied %d times in SQL in %s; registry file %s"
          % (populate["versions"], models, populate["versions"] // models, models * pushed, fmt_s(populate["seconds"]), copies,
             fmt_s(amplified), fmt_bytes(os.path.getsize(db))))
    b.fresh(db)
    print("")
    table(["registry ui (median of 5)", "route", "body", "server", "server CPU", "request", "target", "server/target"], rows,
          "server: the Server-Timing header's wall time (routing, the registry's queries, rendering); server CPU: the process's CPU "
          "time meanwhile (what the page costs however loaded the machine is); request: the whole HTTP request from Python.")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "hashes":
        return hashes()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--registry", required=True, help="the registry binary")
    parser.add_argument("--bench", required=True, help="the registry-bench binary (for populate)")
    parser.add_argument("--shared", required=True, help="../shared (fixtures)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default="16,256,1024", help="MiB of the random SavedModels")
    parser.add_argument("--only", default="models,history,large,ls,remote,ui", help="sections to run")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    b = Bench(args)
    only = args.only.split(",")
    start = time.perf_counter()
    try:
        print("\nregistry against TensorFlow 2.21 and the disk (work folder %s; load average %.2f on %d cores: "
              "other processes skew every figure)" % (b.work, os.getloadavg()[0], os.cpu_count() or 1))
        sys.stdout.flush()
        if "models" in only:
            models(b, [int(s) for s in args.sizes.split(",")])
        if "history" in only:
            history(b)
        if "large" in only:
            large_weights(b)
        if "ls" in only:
            listing(b)
        if "remote" in only:
            remote(b)
        if "ui" in only:
            ui(b)
    finally:
        if not args.keep:
            shutil.rmtree(b.work, ignore_errors=True)
    print("\nbench_io: %.0f s (load average at the end %.2f)" % (time.perf_counter() - start, os.getloadavg()[0]))


if __name__ == "__main__":
    main()

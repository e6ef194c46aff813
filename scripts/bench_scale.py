"""`make bench`, third part: big registries stay fast, and gc costs what it frees.

    bench_scale.py --registry BIN --bench BIN --shared DIR [--versions 100000,1000000] [--gib 64] [--reps 3] [--keep]

Works in a fresh folder under /tmp (removed at the end unless --keep). Builds registries of
100,000 and 1,000,000 versions (metadata only: the versions are copies, row for row, of two
pushed templates, so every chunk is shared; 1,000 models of which one, run-0000, is a training
run of 1,000 checkpoints) and one of 64 GiB of distinct tensors (`registry-bench fill`: one
1 GiB checkpoint of random bits per run), one at a time to bound the disk used, and measures
on each, beside the same measurement on a small registry in the same turn (the machine is
shared and drifts; a ratio within one turn is what holds):
  open (`ls --model none`), `ls --tag serve --limit 50`, `show`, `history` of the 1,000-version
  run, push and pull of a 16 MiB SavedModel, gc after removing a 1 GiB model against pushing
  it (time, peak RSS, extra disk: the largest journal and file growth seen while gc ran), and
  `verify REF` of one version. Whole processes, medians of REPS after a warm-up.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_io import Bench, fmt_bytes, fmt_s, median, ratio, table  # noqa: E402

GIB = 1 << 30


# ---------------------------------------------------------------- building the registries

def templates(b, db):
    """A registry of two versions: tpl-serve ({train} and {serve}) and tpl-train ({train})."""
    fixtures = os.path.join(b.shared, "fixtures", "tf2.21")
    b.run([b.registry, "push", "--registry", db, os.path.join(fixtures, "seed_mlp_train_and_serve"), "tpl-serve"])
    b.run([b.registry, "push", "--registry", db, os.path.join(fixtures, "seed_mlp_training"), "tpl-train"])


def populate(b, db, versions):
    """The templates, then `versions` versions over versions / 1000 models copied from them in SQL."""
    templates(b, db)
    start = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144", "temp_store = FILE"):
        con.execute("PRAGMA " + pragma)
    # The tensor counters of migration 0006 are set from the templates instead of 21 updates a version.
    counters = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tensors_counted_%'").fetchall()
    for name, _ in counters:
        con.execute("DROP TRIGGER " + name)
    ids = {t: con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM " + t).fetchone()[0]
           for t in ("models", "versions", "meta_graphs", "signatures")}
    serve, train = [con.execute("SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ?", (n,)).fetchone()[0]
                    for n in ("tpl-serve", "tpl-train")]
    models = max(2, versions // 1000)
    assert versions % models == 0, "versions must be a multiple of 1,000"
    p = dict(M=models, half=models // 2, S=serve, T=train, v=ids["versions"], m=ids["models"], g=ids["meta_graphs"],
             s=ids["signatures"], t0=time.time() - versions, per=versions // models)
    con.execute("BEGIN")
    con.execute("CREATE TEMP TABLE pick (i INTEGER PRIMARY KEY, m INTEGER, number INTEGER, tpl INTEGER, v INTEGER)")
    con.execute("""WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < :n - 1)
                   INSERT INTO pick SELECT i, i % :M, 1 + i / :M, CASE WHEN i % :M < :half THEN :S ELSE :T END, :v + i FROM c""",
                dict(p, n=models * p["per"]))
    con.execute("""CREATE TEMP TABLE sigrank AS SELECT s.id, g.version_id AS tpl, g.position,
                   ROW_NUMBER() OVER (PARTITION BY g.version_id ORDER BY s.id) - 1 AS k, s.key, s.method
                   FROM signatures s JOIN meta_graphs g ON g.id = s.meta_graph_id WHERE g.version_id IN (:S, :T)""", p)
    statements = [
        """INSERT INTO models (id, name, created_at, last_number)
           SELECT :m + m, CASE WHEN m = 0 THEN 'run-0000' WHEN m < :half THEN printf('serve-%04d', m) ELSE printf('train-%04d', m) END,
                  :t0, :per FROM (SELECT DISTINCT m FROM pick)""",
        """INSERT INTO versions (id, model_id, number, created_at, kind, source, parent_id, run, global_step, metrics_json,
               graph_encoding, schema_version, graph_extra_id, graph_text_id, bundle_prefix, bundle_header, preserved, tensor_count, tensor_bytes)
           SELECT p.v, :m + p.m, p.number, :t0 + p.i, CASE WHEN p.m = 0 THEN 'checkpoint' ELSE t.kind END, t.source,
                  CASE WHEN p.m = 0 AND p.number > 1 THEN p.v - :M END, CASE WHEN p.m = 0 THEN 'run-0000' END,
                  CASE WHEN p.m = 0 THEN 100 * p.number END,
                  CASE WHEN p.m = 0 THEN json_object('accuracy', 0.2 + 0.0002 * p.number, 'loss', 1.0 / p.number) END,
                  t.graph_encoding, t.schema_version, t.graph_extra_id, t.graph_text_id, t.bundle_prefix, t.bundle_header, 0,
                  t.tensor_count, t.tensor_bytes
           FROM pick p JOIN versions t ON t.id = p.tpl ORDER BY p.i""",
        """INSERT INTO meta_graphs (id, version_id, position, tag_set, content_id)
           SELECT :g + p.i * 4 + g.position, p.v, g.position, g.tag_set, g.content_id
           FROM pick p JOIN meta_graphs g ON g.version_id = p.tpl ORDER BY p.i, g.position""",
        """INSERT INTO meta_graph_tags (meta_graph_id, tag)
           SELECT :g + p.i * 4 + g.position, t.tag FROM pick p JOIN meta_graphs g ON g.version_id = p.tpl
           JOIN meta_graph_tags t ON t.meta_graph_id = g.id""",
        """INSERT INTO signatures (id, meta_graph_id, key, method)
           SELECT :s + p.i * 8 + r.k, :g + p.i * 4 + r.position, r.key, r.method FROM pick p JOIN sigrank r ON r.tpl = p.tpl
           ORDER BY p.i, r.k""",
        """INSERT INTO signature_tensors (signature_id, direction, key, tensor_name, dtype, shape)
           SELECT :s + p.i * 8 + r.k, st.direction, st.key, st.tensor_name, st.dtype, st.shape
           FROM pick p JOIN sigrank r ON r.tpl = p.tpl JOIN signature_tensors st ON st.signature_id = r.id""",
        """INSERT INTO collections (meta_graph_id, key, kind, size)
           SELECT :g + p.i * 4 + g.position, c.key, c.kind, c.size FROM pick p JOIN meta_graphs g ON g.version_id = p.tpl
           JOIN collections c ON c.meta_graph_id = g.id""",
        """INSERT INTO tensors (version_id, key, name, dtype, shape, shard_id, offset, size, crc32c, content_id, entry)
           SELECT p.v, t.key, t.name, t.dtype, t.shape, t.shard_id, t.offset, t.size, t.crc32c, t.content_id, t.entry
           FROM pick p JOIN tensors t ON t.version_id = p.tpl ORDER BY p.i, t.key""",
        """INSERT INTO files (version_id, path, is_folder, size, content_id)
           SELECT p.v, f.path, f.is_folder, f.size, f.content_id FROM pick p JOIN files f ON f.version_id = p.tpl ORDER BY p.i, f.path""",
        """INSERT INTO labels (version_id, key, value)
           SELECT v, key, value FROM (SELECT p.v, 'bench' AS key, CASE WHEN p.tpl = :S THEN 'serve' ELSE 'train' END AS value FROM pick p
                                      UNION ALL SELECT p.v, 'n', CAST(p.number AS TEXT) FROM pick p) ORDER BY v, key""",
    ]
    for sql in statements:
        con.execute(sql, {k: v for k, v in p.items() if ":" + k in sql})
    for _, sql in counters:
        con.execute(sql)
    con.execute("COMMIT")
    total = con.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    con.close()
    return total, time.perf_counter() - start


def fill(b, db, gib):
    out = b.run([b.bench, "fill", db, str(gib)])
    return json.loads(out.strip().splitlines()[-1])["seconds"]


# ---------------------------------------------------------------- measurements

def whole(b, argv, reps):
    """Median wall seconds of a whole process over `reps` runs after a warm-up."""
    times = []
    for _ in range(reps + 1):
        start = time.perf_counter()
        b.run(argv)
        times.append(time.perf_counter() - start)
    return median(times[1:])


class DiskWatch:
    """The largest journal and the largest growth of the file seen while a command runs."""

    def __init__(self, db):
        self.db, self.start = db, os.path.getsize(db)
        self.journal = self.growth = 0
        self.running = True
        self.thread = threading.Thread(target=self.watch)
        self.thread.start()

    def watch(self):
        while self.running:
            for path, field in ((self.db + "-journal", "journal"), (self.db, "growth")):
                try:
                    size = os.path.getsize(path) - (self.start if field == "growth" else 0)
                    setattr(self, field, max(getattr(self, field), size))
                except OSError:
                    pass
            time.sleep(0.002)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.journal + self.growth


def push_pull(b, db, folder, reps, tag):
    """Push (then pull) of `folder` as model `small`, rm + gc between repetitions; lists of seconds."""
    pushes, pulls = [], []
    for i in range(reps + 1):
        subprocess.run(["sync"])
        start = time.perf_counter()
        out = b.run([b.registry, "push", "--registry", db, folder, "small", "--json"])
        pushes.append(time.perf_counter() - start)
        number = json.loads(out)["version"]
        target = b.path("pulled-" + tag)
        b.fresh(target)
        start = time.perf_counter()
        b.run([b.registry, "pull", "--registry", db, "small:%d" % number, "-o", target])
        pulls.append(time.perf_counter() - start)
        b.fresh(target)
        b.run([b.registry, "rm", "--registry", db, "small:%d" % number])
        b.run([b.registry, "gc", "--registry", db])
    return pushes, pulls


def gc_after_removing(b, db, folder):
    """Pushes the 1 GiB model, removes it, runs gc: (push seconds, gc seconds, gc RSS, extra disk, gc report)."""
    seconds_push, _, out = b.timed([b.registry, "push", "--registry", db, folder, "gib", "--json"])
    number = json.loads(out)["version"]
    b.run([b.registry, "rm", "--registry", db, "gib:%d" % number])
    subprocess.run(["sync"])
    watch = DiskWatch(db)
    seconds_gc, rss, out = b.timed([b.registry, "gc", "--registry", db, "--json"])
    extra = watch.stop()
    return seconds_push, seconds_gc, rss, extra, json.loads(out)


def measure(b, label, db, small, names, models, reps):
    """One registry's row, each figure measured beside the small registry's in the same turn."""
    row = {"label": label, "size": os.path.getsize(db)}
    commands = {"open": lambda n: ["ls", "--model", "none", "--json"], "ls": lambda n: ["ls", "--tag", "serve", "--limit", "50"],
                "show": lambda n: ["show", n["show"]], "history": lambda n: ["history", n["history"]],
                "verify": lambda n: ["verify", n["verify"]]}
    for key, command in commands.items():
        for prefix, path, chosen in (("", db, names), ("base_", small, SMALL_NAMES)):
            argv = command(chosen)
            row[prefix + key] = whole(b, [b.registry, argv[0], "--registry", path] + argv[1:], reps)
    big_push, big_pull = push_pull(b, db, models["16"], reps, "big")
    base_push, base_pull = push_pull(b, small, models["16"], reps, "small")
    row["push"], row["pull"] = median(big_push[1:]), median(big_pull[1:])
    row["push_ratio"] = median([x / y for x, y in zip(big_push[1:], base_push[1:])])
    row["pull_ratio"] = median([x / y for x, y in zip(big_pull[1:], base_pull[1:])])
    row["gc"] = gc_after_removing(b, db, models["1024"])
    row["base_gc"] = gc_after_removing(b, small, models["1024"])
    print("  %s: %s" % (label, json.dumps({k: v for k, v in row.items() if k not in ("gc", "base_gc")})))
    print("    gc after removing 1 GiB: push %s, gc %s, RSS %s, extra disk %s, %s"
          % (fmt_s(row["gc"][0]), fmt_s(row["gc"][1]), fmt_bytes(row["gc"][2]), fmt_bytes(row["gc"][3]), json.dumps(row["gc"][4])))
    sys.stdout.flush()
    return row


SMALL_NAMES = {"show": "tpl-serve:1", "history": "tpl-serve", "verify": "tpl-serve:1"}


def report(rows):
    out = []
    for r in rows:
        push, gc, rss, extra, _ = r["gc"]
        out.append([r["label"], fmt_bytes(r["size"]),
                    "%.0f ms (%.2fx)" % (r["open"] * 1e3, r["open"] / r["base_open"]),
                    ratio(r["ls"] * 1e3, 50 if "100,000" in r["label"] else None, "%.1f ms"),
                    "%.0f ms" % (r["show"] * 1e3), "%.0f ms" % (r["history"] * 1e3),
                    ratio(r["push_ratio"], 1.1), ratio(r["pull_ratio"], 1.1),
                    "%s / %s = %s" % (fmt_s(gc), fmt_s(push), ratio(gc / push, 2)),
                    ratio(rss / (1 << 20), 64, "%.0f MiB"), ratio(extra / (1 << 20), 64, "%.1f MiB"),
                    "%.0f ms" % (r["verify"] * 1e3)])
    print("")
    table(["registry", "file", "open (x small)", "ls --tag serve --limit 50", "show", "history (1,000)",
           "push 16 MiB x small", "pull 16 MiB x small", "gc after rm 1 GiB / push 1 GiB", "gc RSS", "gc extra disk", "verify REF"],
          out, "targets: ls < 50 ms at 100,000 versions; push and pull of 16 MiB within 1.10x of the same on the small registry "
          "(2 versions) in the same turn; gc after removing 1 GiB <= 2x pushing it, peak RSS <= 64 MiB, extra disk <= 64 MiB; "
          "'!' marks a missed target. Whole processes, medians after a warm-up.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--versions", default="100000,1000000")
    parser.add_argument("--gib", type=int, default=64, help="GiB of distinct tensors (0: skip)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    b = Bench(args)
    start = time.perf_counter()
    rows = []
    try:
        print("\nbig registries (work folder %s; load average %.2f on %d cores)" % (b.work, os.getloadavg()[0], os.cpu_count() or 1))
        models = {}
        for mib in (16, 1024):
            models[str(mib)] = b.path("model-%d" % mib)
            b.tf("save", models[str(mib)], mib, 1)
        small = b.path("small.db")
        templates(b, small)
        for versions in [int(v) for v in args.versions.split(",") if v]:
            db = b.path("versions-%d.db" % versions)
            total, seconds = populate(b, db, versions)
            print("  populated %d versions in %s (SQL copies of two templates); file %s" % (total, fmt_s(seconds), fmt_bytes(os.path.getsize(db))))
            rows.append(measure(b, "%s versions" % format(versions, ","), db, small,
                                {"show": "serve-0001:500", "history": "run-0000", "verify": "serve-0001:1"}, models, args.reps))
            b.fresh(db)
        if args.gib > 0:
            free = shutil.disk_usage(b.work).free
            gib = min(args.gib, int(free / GIB) - 16)
            if gib < args.gib:
                print("  only %s free: %d GiB of tensors instead of %d" % (fmt_bytes(free), gib, args.gib))
            db = b.path("big.db")
            b.run([b.registry, "push", "--registry", db, os.path.join(b.shared, "fixtures", "tf2.21", "seed_mlp_train_and_serve"), "tpl-serve"])
            seconds = fill(b, db, gib)
            print("  filled %d GiB of distinct tensors in %s (%.0f MB/s); file %s" % (gib, fmt_s(seconds), gib * GIB / seconds / 1e6, fmt_bytes(os.path.getsize(db))))
            rows.append(measure(b, "%d GiB of tensors" % gib, db, small,
                                {"show": "big-000", "history": "tpl-serve", "verify": "big-000"}, models, args.reps))
            b.fresh(db)
        report(rows)
    finally:
        if not args.keep:
            shutil.rmtree(b.work, ignore_errors=True)
    print("\nbench_scale: %.0f s (load average at the end %.2f)" % (time.perf_counter() - start, os.getloadavg()[0]))


if __name__ == "__main__":
    main()

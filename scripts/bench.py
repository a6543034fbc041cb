#!/usr/bin/env python3
"""The figures of `scripts/bench N` on a generated corpus, paired with Hugo when it is installed.

    scripts/bench.py --site target/bench-site --chapters N [--hugo-site target/bench-hugo] [--runs 5]

1. Full build: the output folder removed before each run (integridad and Hugo).
2. Build after a one-page edit: a sentence appended to one chapter before each run, the previous
   output in place (Hugo has no such mode: the ratio is against its full build, run alternately).
   Then a second edit and build: the first rebuild after a full build has no spare to recycle
   (the full build had no old output to keep), the second recycles the first's old output, as
   every later rebuild does. The result is then checked against a clean build (their SHA256SUMS
   must be equal), and the removal of an output made of hard links is timed.
3. `serve`: a sentence appended to a chapter, then the page polled every 10 ms until it shows
   the sentence (median of the edits), for `integridad serve` and `hugo server`; then the
   chapter's title changed, and its section's page polled until it lists the new title. The
   server's peak memory (VmHWM) is read at the end.

Runs alternate (integridad, Hugo, integridad, …) so that a loaded machine affects both alike;
each time ratio is the median of the ratios of pairs. Peak memory is the process's maximum RSS
(the largest of the runs, and the ratio of those). The disk is synced before each timed run
(untimed). `--page` and `--no-serve` time the builds of another corpus, such as the shared
benchmark kit's (see `scripts/bench kit`).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


CPU = {}  # command name → CPU seconds (user + system) of each timed run


def timed(argv):
    """Runs argv quietly; returns (seconds, peak RSS in MiB) and notes its CPU time. The disk is
    synced first, so that one run's deferred write-back does not slow down the next one."""
    os.sync()
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s\n%s" % (" ".join(argv), err))
    CPU.setdefault(argv[0], []).append(usage.ru_utime + usage.ru_stime)
    return seconds, usage.ru_maxrss / 1024


def remove_output(path):
    shutil.rmtree(path, ignore_errors=True)
    parent, name = os.path.split(path)
    for entry in os.listdir(parent):
        if entry.startswith(".%s.integridad-" % name):
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return "%.2f s (%.2f–%.2f)" % (median(xs), min(xs), max(xs))


class Figures:
    def __init__(self):
        self.rows = []

    def add(self, what, ours, peer, ratios):
        self.rows.append((what, spread(ours), spread(peer) if peer else "–",
                          "%.2f" % median(ratios) if ratios else "–"))

    def add_memory(self, what, ours, peer):
        """The largest peak of the runs; the ratio is of those largest peaks."""
        peer_text = "%d MiB" % max(peer) if peer else "–"
        ratio = "%.2f" % (max(ours) / max(peer)) if peer else "–"
        self.rows.append((what, "%d MiB" % max(ours), peer_text, ratio))

    def print(self):
        print()
        print("| | integridad | Hugo | ratio |")
        print("|---|---|---|---|")
        for row in self.rows:
            print("| %s | %s | %s | %s |" % row)


def chapter_path(site, chapters):
    """The chapter in the middle of the corpus (see examples/corpus.rs): its file and URL path."""
    p = chapters // 2
    sections = max(chapters // 100, 1)
    s = p % sections
    folder = "biblioteca-%d/tema-%03d" % (s % 10, s)
    return "content/%s/%05d-capitulo-%d.md" % (folder, p, p), folder, p


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n%s\n" % text)


def builds(args, figures):
    bin_, site = args.bin, args.site
    out = os.path.join(site, "public")
    page = args.page or chapter_path(site, args.chapters)[0]
    hugo = args.hugo_site and shutil.which("hugo")
    hugo_out = os.path.abspath(args.hugo_site + "-out") if hugo else None
    hugo_cmd = ["hugo", "--quiet", "--source", args.hugo_site, "-d", hugo_out] if hugo else None

    fresh, fresh_mem, peer, peer_mem, ratios = [], [], [], [], []
    cpu_fresh, cpu_edit, cpu_peer = [], [], []
    edit, edit_mem, edit_ratios = [], [], []
    again, again_ratios, cpu_again = [], [], []
    for run in range(args.runs + 1):  # the first run warms the caches and is not counted
        remove_output(out)
        t, m = timed([bin_, "build", "--root", site])
        h = hm = None
        if hugo:
            shutil.rmtree(hugo_out, ignore_errors=True)
            h, hm = timed(hugo_cmd)
        append(os.path.join(site, page), "Edición de prueba número %d." % run)
        e, em = timed([bin_, "build", "--root", site])
        append(os.path.join(site, page), "Segunda edición número %d." % run)
        a, _ = timed([bin_, "build", "--root", site])
        if run == 0:
            continue
        cpu_again.append(CPU[bin_][-1])
        again.append(a)
        cpu_fresh.append(CPU[bin_][-3])
        cpu_edit.append(CPU[bin_][-2])
        if hugo:
            cpu_peer.append(CPU["hugo"][-1])
        fresh.append(t)
        fresh_mem.append(m)
        edit.append(e)
        edit_mem.append(em)
        if h is not None:
            peer.append(h)
            peer_mem.append(hm)
            ratios.append(t / h)
            edit_ratios.append(e / h)
            again_ratios.append(a / h)
        print("run %d: build %.2f s, after one edit %.2f s, after another %.2f s%s" % (
            run, t, e, a, ", hugo %.2f s" % h if h is not None else ""), flush=True)
    figures.add("full build", fresh, peer, ratios)
    figures.add("build after a one-page edit (Hugo: full build)", edit, peer, edit_ratios)
    figures.add("build after another one-page edit, recycling the spare (Hugo: full build)",
                again, peer, again_ratios)
    figures.add_memory("peak memory (maximum RSS) of a full build", fresh_mem, peer_mem)
    figures.add_memory("peak memory of a build after a one-page edit (Hugo: full build)",
                       edit_mem, peer_mem)
    figures.add("CPU (user + system) of a full build", cpu_fresh, cpu_peer,
                [a / b for a, b in zip(cpu_fresh, cpu_peer)])
    figures.add("CPU of a build after a one-page edit (Hugo: full build)", cpu_edit, cpu_peer,
                [a / b for a, b in zip(cpu_edit, cpu_peer)])
    figures.add("CPU of a build after another edit (Hugo: full build)", cpu_again, cpu_peer,
                [a / b for a, b in zip(cpu_again, cpu_peer)])

    # The rebuild's output must equal a clean build's.
    with open(os.path.join(out, "SHA256SUMS"), "rb") as f:
        after_edit = f.read()
    remove_output(out)
    timed([bin_, "build", "--root", site])
    with open(os.path.join(out, "SHA256SUMS"), "rb") as f:
        clean = f.read()
    print("output after the edit equals a clean build: %s" % ("yes" if clean == after_edit else "NO"))

    # What the swap deletes after such a build: an output whose files all have a second link.
    removals = []
    for _ in range(3):
        copy = out + "-links"
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-al", out, copy], check=True)
        removals.append(timed(["rm", "-rf", copy])[0])
    figures.add("`rm -rf` of an output of hard links (for comparison with the edit build's removal)",
                removals, None, None)
    figures.add("CPU of that removal", CPU["rm"], None, None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read()
    except Exception:
        return None


def wait_for(url, needle, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        body = fetch(url)
        if body is not None and (needle is None or needle in body):
            return time.monotonic() - start
        time.sleep(0.01)
    return None


def retitle(path, title):
    """Sets the `title:` of the front matter of `path`."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines):
        if line.startswith("title:"):
            lines[n] = 'title: "%s"' % title
            break
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def peak_rss_mib(pid):
    """The peak resident memory of process `pid` so far, in MiB (Linux), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def serve_latency(argv, url, list_url, page, edits, label):
    """Starts a dev server, then times `edits` saves of `page` until `url` shows each, and
    `edits` title changes until `list_url` lists each. Returns both lists and the peak RSS."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    times, titles = [], []
    try:
        if wait_for(url, None, 900) is None:
            sys.exit("%s never served %s" % (label, url))
        time.sleep(2)
        for k in range(edits):
            marker = "Marcador de servidor %s %d %d." % (label, k, time.time_ns())
            append(page, marker)
            t = wait_for(url, marker.encode("utf-8"), 300)
            if t is None:
                sys.exit("%s never served the edit of %s" % (label, page))
            times.append(t)
            time.sleep(1)
        for k in range(edits):
            title = "Capitulo retitulado %s %d %d" % (label, k, time.time_ns())
            retitle(page, title)
            t = wait_for(list_url, title.encode("utf-8"), 60)
            if t is None:
                print("%s never listed the new title at %s" % (label, list_url), file=sys.stderr)
                break
            titles.append(t)
            time.sleep(1)
        memory = peak_rss_mib(proc.pid)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
    return times, titles, memory


def serve(args, figures):
    page, folder, p = chapter_path(args.site, args.chapters)
    port = free_port()
    ours, ours_titles, ours_mem = serve_latency(
        [args.bin, "serve", "--root", args.site, "--port", str(port)],
        "http://127.0.0.1:%d/%s/capitulo-%d/" % (port, folder, p),
        "http://127.0.0.1:%d/%s/" % (port, folder),
        os.path.join(args.site, page), args.edits, "integridad")
    peer, peer_titles, peer_mem = [], [], None
    if args.hugo_site and shutil.which("hugo"):
        port = free_port()
        peer, peer_titles, peer_mem = serve_latency(
            ["hugo", "server", "--source", args.hugo_site, "--bind", "127.0.0.1", "--port",
             str(port), "--disableLiveReload"],
            "http://127.0.0.1:%d/%s/%05d-capitulo-%d/" % (port, folder, p, p),
            "http://127.0.0.1:%d/%s/" % (port, folder),
            os.path.join(args.hugo_site, page), args.edits, "hugo")
    ratio = [median(ours) / median(peer)] if peer else None
    figures.add("`serve`: text edit → page served (median of %d)" % args.edits, ours, peer,
                ratio)
    ratio = [median(ours_titles) / median(peer_titles)] if peer_titles else None
    figures.add("`serve`: title edit → section page lists it (median of %d)" % args.edits,
                ours_titles, peer_titles, ratio)
    if ours_mem:
        figures.add_memory("peak memory of the dev server, after the edits", [ours_mem],
                           [peer_mem] if peer_mem else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--chapters", type=int, required=True)
    ap.add_argument("--hugo-site")
    ap.add_argument("--bin", default="target/release/integridad")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", 5)))
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--page", help="markdown file to edit, relative to --site (default: the "
                    "middle chapter of an examples/corpus.rs site)")
    ap.add_argument("--no-serve", action="store_true", help="time the builds only")
    ap.add_argument("--no-builds", action="store_true", help="time the dev server only")
    args = ap.parse_args()
    figures = Figures()
    if not args.no_builds:
        builds(args, figures)
    if not args.no_serve:
        serve(args, figures)
    print("\nload average at the end: %.1f %.1f %.1f" % os.getloadavg())
    figures.print()


if __name__ == "__main__":
    main()

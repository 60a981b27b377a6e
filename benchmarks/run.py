"""kernelptr performance: each goal next to its measured figure.

    .venv/bin/python benchmarks/run.py              # everything, about 4 minutes
    .venv/bin/python benchmarks/run.py --quick      # smaller sizes, no notebooks (a smoke run)

Prints a table and writes benchmarks/results.json (results-quick.json for --quick). Ratios
are the headline: machines are noisy, so absolute timings are printed for context only (and
never asserted in tests). On a shared machine: model timings are process time (CPU time of
this process, which other programs do not inflate), the best of several runs; rendering is
wall time (it waits for the Graphviz program), the best of interleaved runs of the pipeline
and of its baseline, the same Graphviz program the views run (`widgets.backend`), run bare on
the same DOT source. The load average at start and end is recorded with the results.
"""

from __future__ import annotations

import argparse
import gc
import glob
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import kernelptr as kp  # noqa: E402
import widgets  # noqa: E402
from kernelptr.course import checks  # noqa: E402
from kernelptr.list.example import Job  # noqa: E402
from widgets import backend  # noqa: E402
from widgets import render as render_mod  # noqa: E402

_ROWS: list[dict] = []


def row(section, what, measured, goal=None, met=None, **data):
    """One line of the table: `goal` is text (None for figures shown for context)."""
    _ROWS.append(dict(section=section, what=what, measured=measured, goal=goal or "",
                     met=met, **data))
    status = "" if met is None else ("met" if met else "MISSED")
    print(f"  {what:<52} {measured:>22}   {goal or '':<22} {status}", flush=True)


def best_time(fn, repeat, clock=time.process_time):
    """The shortest of `repeat` runs of `fn` (process time unless `clock` is given)."""
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return min(times)


def ms(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds < 0.001 else f"{seconds * 1e3:.1f} ms"


# -- 1. render overhead ---------------------------------------------------------------------
def mixed_heap(n):
    """`n` objects, all drawn: lists of 9 items (short, never elided) and one Arc per list."""
    heap = kp.reset()
    lists, arcs = [], []
    for k in range(n // 10):
        q = kp.name(kp.List(Job), f"q{k}")
        for i in range(9):
            q.push_back(kp.ListArc.new(Job(10 * k + i), kp.GFP_KERNEL))
        lists.append(q)
        arcs.append(kp.name(kp.Arc.new(Job(-k), kp.GFP_KERNEL), f"a{k}"))
    return heap, (lists, arcs)


def filled(n, keep=None):
    """A `List<Job, 0>` of `n` items, and an Arc to item number `keep` (if given)."""
    q, kept = kp.List(Job), None
    for i in range(n):
        la = kp.ListArc.new(Job(i), kp.GFP_KERNEL)
        kept = la.clone_arc() if i == keep else kept
        q.push_back(la)
    return q, kept


def long_list(n):
    heap = kp.reset()
    return heap, kp.name(filled(n)[0], "q")


PROGRAM, _ESTIMATES = backend._program()   # the Graphviz program the views run


def bare_dot(source):
    """The views' Graphviz program on `source`, with nothing around it (graphviz-pure gets
    the single-font source the back-end gives it, so both lay out the same text)."""
    if _ESTIMATES:
        source, _ = backend._single_fonts(source)
    subprocess.run([PROGRAM, "-Kdot", "-Tsvg"], input=source.encode(), capture_output=True,
                   check=True)


def pipeline(heap, cold=True, **options):
    """Snapshot -> DOT -> SVG, never from the SVG cache; `cold`: no cached object pictures
    either (warm is a live view's redraw after an operation touched a few objects)."""
    if cold:
        heap._snap_cache.clear()
    render_mod._CACHE.clear()
    return render_mod.render(widgets.to_dot(heap.snapshot(), **options).source)


def compare(heap, repeat, cold=True, **options):
    """(pipeline seconds, bare program seconds, DOT source): the best of interleaved runs
    (wall time: both wait for the Graphviz program)."""
    source = widgets.to_dot(heap.snapshot(), **options).source
    ours, bare = [], []
    for _ in range(repeat):
        ours.append(best_time(lambda: pipeline(heap, cold, **options), 1, time.perf_counter))
        bare.append(best_time(lambda: bare_dot(source), 1, time.perf_counter))
    return min(ours), min(bare), source


def bench_render(quick):
    print("\n1. render overhead: snapshot -> DOT -> SVG / the views' Graphviz program run bare "
          f"on the same source\n   ({backend.describe()})")
    for n in ((10, 50, 200) if quick else (10, 50, 200, 1000)):
        heap, keep = mixed_heap(n)
        ours, bare, _ = compare(heap, 3 if n >= 1000 else 7)
        ratio = ours / bare
        goal, met = {50: ("<= 1.2x", ratio <= 1.2), 1000: ("<= 1.5x", ratio <= 1.5)}.get(
            n, (None, None))
        row("render", f"{n} objects, all drawn ({ms(ours)} vs bare {ms(bare)})",
            f"{ratio:.2f}x", goal, met, objects=n, ours_s=ours, bare_s=bare, ratio=ratio)
    n = 200 if quick else 1000
    heap, keep = long_list(n)
    ours, bare, source = compare(heap, 3)
    full = widgets.to_dot(heap.snapshot(), elide=None).source
    full_bare = best_time(lambda: bare_dot(full), 1 if n >= 1000 else 3, time.perf_counter)
    row("render", f"list of {n}, elided, cold ({ms(ours)} vs bare {ms(bare)})",
        f"{ours / bare:.2f}x", "<= 1.5x", ours / bare <= 1.5, objects=n, ours_s=ours,
        bare_s=bare, ratio=ours / bare)
    warm, bare_w, _ = compare(heap, 5, cold=False)
    row("render", f"list of {n}, elided, warm ({ms(warm)} vs bare {ms(bare_w)})",
        f"{warm / bare_w:.2f}x", "<= 1.5x", warm / bare_w <= 1.5, objects=n, ours_s=warm,
        bare_s=bare_w, ratio=warm / bare_w)
    row("render", f"list of {n}: elided picture / bare program on all {n}",
        f"{ours / full_bare:.2f}x", None, None, ratio=ours / full_bare, full_bare_s=full_bare)
    assert "more …" in source
    del keep


# -- 2. stepping ----------------------------------------------------------------------------
def bench_stepping(quick):
    print("\n2. stepping a Stepper (a 10-item list and an Arc, 40 frames)")
    kp.reset()
    with kp.record() as rec:
        q = kp.List(Job)
        for i in range(10):
            q.push_back(kp.ListArc.new(Job(i), kp.GFP_KERNEL))
        a = kp.Arc.new(Job(-1), kp.GFP_KERNEL)
        for _ in range(5):
            la = q.pop_front()
            q.push_back(la)
            b = a.clone()
            b.drop()
    render_mod._CACHE.clear()
    t = time.perf_counter()
    stepper = widgets.Stepper(rec)
    opened = time.perf_counter() - t
    new, seen = [], []
    for i in range(1, len(stepper)):
        new.append(best_time(lambda: setattr(stepper, "index", i), 1, time.perf_counter))
    for _ in range(3):
        for i in range(len(stepper) - 1, -1, -1):
            seen.append(best_time(lambda: setattr(stepper, "index", i), 1, time.perf_counter))
    visited, fresh = statistics.median(seen), statistics.median(new)
    row("stepping", "show an already-visited frame (median)", ms(visited), "< 5 ms",
        visited < 0.005, seconds=visited)
    row("stepping", "show a new frame (median; one neato -n2 run)", ms(fresh), "< 100 ms",
        fresh < 0.1, seconds=fresh)
    row("stepping", f"open a Stepper of {len(stepper)} frames (layout of all)", ms(opened),
        None, None, seconds=opened)
    frames = 200 if quick else 1000
    kp.reset()
    q, _ = filled(50)
    with kp.record() as big:
        for _ in range(frames // 2):
            la = q.pop_front()
            q.push_back(la)
    t = time.perf_counter()
    widgets.Stepper(big)
    opened = time.perf_counter() - t
    row("stepping", f"open a Stepper of {len(big)} frames (50-item list)", ms(opened), None,
        None, seconds=opened, frames=len(big))


# -- 3. model throughput --------------------------------------------------------------------
def throughput(length, record_events, ops):
    """Per-operation seconds of list push/pop, remove and Arc clone/drop on a list of
    `length` items."""
    with kp.Heap(record_events=record_events):
        q, middle = filled(length, keep=length // 2)
        a = kp.Arc.new(Job(-1), kp.GFP_KERNEL)

        def pushpop():
            for _ in range(ops):
                q.push_back(q.pop_front())

        def remove():
            for _ in range(ops):
                q.push_back(q.remove(middle))

        def clone_drop():
            for _ in range(ops):
                a.clone().drop()

        gc.collect()
        out = {name: best_time(fn, 5) / (2 * ops)
               for name, fn in (("push/pop", pushpop), ("remove", remove),
                                ("Arc clone/drop", clone_drop))}
        q.drop()
        return out


def bench_throughput(quick):
    lengths = (1_000, 10_000) if quick else (1_000, 100_000)
    rounds = 1 if quick else 3
    print(f"\n3. model throughput at list lengths {lengths[0]:,} and {lengths[1]:,} "
          "(events recorded vs record_events=False; process time, best of 5 runs"
          + (f" in each of {rounds} rounds over all four set-ups)" if rounds > 1 else ")"))
    ops = 2000
    table: dict = {}
    for _ in range(rounds):     # rounds, so that a noisy minute spoils no set-up on its own
        for n in lengths:
            for ev in (False, True):
                got = throughput(n, ev, ops)
                best = table.setdefault((n, ev), got)
                for op, seconds in got.items():
                    best[op] = min(best[op], seconds)
    for op in ("push/pop", "remove", "Arc clone/drop"):
        for ev in (False, True):
            small, big = table[(lengths[0], ev)][op], table[(lengths[1], ev)][op]
            label = "events" if ev else "no events"
            row("throughput", f"{op}, {label}: {1 / small:,.0f} vs {1 / big:,.0f} ops/s",
                f"{big / small:.2f}x", "flat: <= 1.5x", big / small <= 1.5, op=op,
                events=ev, per_op_small_s=small, per_op_big_s=big, ratio=big / small)
        for n in lengths:
            ratio = table[(n, True)][op] / table[(n, False)][op]
            row("throughput", f"{op} at {n:,}: events / no events", f"{ratio:.2f}x",
                "<= 3x", ratio <= 3, op=op, length=n, ratio=ratio)


# -- 4. recording scale ---------------------------------------------------------------------
def record_ops(count):
    """Record `count` operations on a 50-item list and an Arc (a lecture-sized scene)."""
    kp.reset()
    q, _ = filled(50)
    a = kp.Arc.new(Job(-1), kp.GFP_KERNEL)
    with kp.record() as rec:
        for _ in range(count // 4):
            la = q.pop_front()
            q.push_back(la)
            b = a.clone()
            b.drop()
    return rec


def bench_recording(quick):
    count = 20_000 if quick else 100_000
    print(f"\n4. recording {count:,} operations with kp.record() (50-item list and an Arc)")
    gc.collect()
    t = time.process_time()
    rec = record_ops(count)
    took = time.process_time() - t
    row("recording", f"time to record {len(rec):,} ops ({took / len(rec) * 1e6:.0f} µs/op)",
        f"{took:.1f} s", None, None, seconds=took, ops=len(rec))
    picks = random.Random(1).sample(range(len(rec)), 40)
    scrub = []
    for i in picks:
        scrub.append(best_time(lambda: rec.frames[i].snapshot, 1, time.perf_counter))
    row("recording", "scrub to a random frame (max of 40)", ms(max(scrub)), "< 50 ms",
        max(scrub) < 0.05, max_s=max(scrub), median_s=statistics.median(scrub))
    drawn = []
    for i in picks[:10]:
        render_mod._CACHE.clear()
        drawn.append(best_time(lambda: widgets.render_svg(rec.frames[i].snapshot), 1,
                               time.perf_counter))
    row("recording", "scrub and render a random frame (median of 10)",
        ms(statistics.median(drawn)), None, None, median_s=statistics.median(drawn))
    del rec
    gc.collect()
    tracemalloc.start()
    rec = record_ops(count)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row("recording", f"memory to record {len(rec):,} ops ({peak / len(rec):,.0f} B/frame)",
        f"{peak / 1e6:.0f} MB", "< 200 MB", peak < 200e6, peak_bytes=peak, ops=len(rec))


# -- 5. exercise checks ---------------------------------------------------------------------
def never_advances(q, limit):
    """A learner's `drop_low` whose cursor never moves: `peek_next()` is the same item for
    ever (the check's budget stops it after 10,000 calls into the model)."""
    cursor = q.cursor_front()
    while cursor.peek_next() is not None:
        pass


def restarts(q, limit):
    """A learner's `drop_low` that starts a new cursor on every pass: each pass is a
    recorded model operation (the check's budget stops it after 500 of them)."""
    while True:
        cursor = q.cursor_front()
        if cursor.peek_next() is None:
            break


def bench_checks(quick):
    print("\n5. exercise checks: a loop that never ends, until the check's hint "
          "(wall time, median of 5)")
    kp.reset()
    for what, answer, stop in (
            ("a cursor loop that never advances", never_advances, "10,000 times"),
            ("a loop that restarts its cursor", restarts, "steps in all")):
        waited, cpu = [], []
        for _ in range(5):
            t, c = time.perf_counter(), time.process_time()
            verdict = checks.ex03_drop_low(answer)
            waited.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert not verdict.passed and stop in verdict.message, verdict.message
        took = statistics.median(waited)
        row("checks", f"{what}: time until the hint (CPU {ms(min(cpu))})", ms(took),
            "< 1 s", took < 1.0, seconds=took, cpu_s=min(cpu))


# -- 6. notebooks ---------------------------------------------------------------------------
def bench_notebooks(quick):
    print("\n6. the notebook suite under nbval")
    books = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))
                   + glob.glob(os.path.join(ROOT, "lecturers", "solutions", "*.ipynb")))
    if quick or not books:
        row("notebooks", "nbval run (skipped)", "-", None, None)
        return
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-q",
                           "-p", "no:cacheprovider", *books], cwd=ROOT, capture_output=True,
                          text=True)
    took = time.perf_counter() - t
    summary = (done.stdout.strip().splitlines() or ["?"])[-1]
    row("notebooks", f"{len(books)} notebooks: {summary[:40]}", f"{took:.1f} s", None, None,
        seconds=took, notebooks=len(books), summary=summary, exit_code=done.returncode)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no notebooks")
    args = parser.parse_args()
    start = time.perf_counter()
    load = [os.getloadavg()[0]]
    print(f"load average {load[0]:.2f}; pictures by {backend.describe()}")
    print(f"{'measured':>77}   {'goal':<22} status")
    for bench in (bench_render, bench_stepping, bench_throughput, bench_recording,
                  bench_checks, bench_notebooks):
        bench(args.quick)
    total = time.perf_counter() - start
    load.append(os.getloadavg()[0])
    goals = [r for r in _ROWS if r["met"] is not None]
    print(f"\n{sum(r['met'] for r in goals)}/{len(goals)} goals met; ran in {total:.0f} s; "
          f"load average {load[0]:.2f} at start, {load[1]:.2f} at end")
    out = dict(machine=dict(python=platform.python_version(), cpus=os.cpu_count(),
                            platform=platform.platform(), graphviz=backend.describe(),
                            load_average=load),
               quick=args.quick, seconds=total, rows=_ROWS)
    # A smoke run must not overwrite the figures the README quotes.
    name = "results-quick.json" if args.quick else "results.json"
    path = os.path.join(ROOT, "benchmarks", name)
    with open(path, "w") as f:
        json.dump(out, f, indent=1, default=str)
    print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()

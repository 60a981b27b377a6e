"""widgets plots: each returns a matplotlib Figure with the artists it promises."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import widgets  # noqa: E402
from widgets_scenes import list_recording  # noqa: E402


@pytest.fixture
def rec(heap):
    return list_recording()


def test_plot_refcounts_draws_a_line_per_object(rec):
    fig = widgets.plot_refcounts(rec)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    objects = {o.address for f in rec.frames for o in f.snapshot.objects}
    assert len(ax.lines) == len(objects)
    assert ax.get_ylabel() == "refcount"


def test_plot_refcounts_marks_saturation(heap):
    import kernelptr as kp
    from widgets_scenes import every_concept
    rec = kp.Recording(heap)
    event = kp.Event(1, "Arc::clone", "saturated")
    rec.frames.append(kp.Frame(event, every_concept()))
    ax = widgets.plot_refcounts(rec).axes[0]
    assert ax.collections        # the red crosses
    assert any("SATURATED" in t.get_text() for t in ax.get_legend().get_texts())


def test_plot_ownership_has_segments_named_after_holders(rec):
    fig = widgets.plot_ownership(rec)
    (ax,) = fig.axes
    assert ax.collections
    texts = {t.get_text() for t in ax.texts}
    assert {"list q", "none"} <= texts
    assert len(ax.get_yticklabels()) == 6      # three objects, IDs 0 and 1


def test_plot_layout_compares_kernel_and_std(heap):
    fig = widgets.plot_layout()
    left, right = fig.axes
    assert len(left.patches) == 6 and len(right.patches) >= 10
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels == ["kernel ArcInner<T>", "std ArcInner<T>"]
    assert "Arc<dyn Trait>" in [t.get_text() for t in right.get_yticklabels()]


def test_plot_op_cost_counts_pointer_writes_and_allocations_then_times(heap):
    """What O(1) means, counted: the model's pointer writes for kp.List stay the same at
    every length (behaviour 34: no walk, no allocation) while a Python list moves its tail;
    time is a second panel with a caption saying the model's absolute time means nothing."""
    lengths = (10, 100, 1000)
    fig = widgets.plot_op_cost(lengths=lengths, repeats=2)
    counted, timed = fig.axes
    intrusive, python = counted.lines
    assert list(intrusive.get_ydata()) == [8, 8, 8]          # 4 to unlink, 4 to link back
    assert list(python.get_ydata()) == [2 * (n - n // 2 - 1) + 1 for n in lengths]
    legend = [t.get_text() for t in counted.get_legend().get_texts()]
    assert "0 allocations (counted)" in legend[0] and "0 reallocations" in legend[1]
    assert [line.get_label().split()[:2] for line in timed.lines] == [
        ["kp.List", "(Python"], ["Python", "list"], ["Python", "dict"]]
    assert all(len(line.get_xdata()) == 3 for line in timed.lines)
    note = " ".join(t.get_text() for t in fig.texts)
    assert "Python simulating pointers" in note and "says nothing" in note
    assert heap.alloc_count == 0 and heap.pointer_writes == 0    # a private heap


def test_counted_writes_come_from_the_model(heap):
    from widgets.plots import _count_list_remove

    assert _count_list_remove(10) == _count_list_remove(5000) == (8, 0)

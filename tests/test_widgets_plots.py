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


def test_plot_op_cost_measures_list_removal_against_python_list(heap):
    fig = widgets.plot_op_cost(lengths=(10, 100), repeats=3)
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    assert all(len(line.get_xdata()) == 2 for line in ax.lines)
    assert "kp.List.remove" in ax.get_legend().get_texts()[0].get_text()
    assert heap.alloc_count == 0          # measured in a private heap

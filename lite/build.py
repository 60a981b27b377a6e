"""Build the course as a static JupyterLite site (`make lite`): build/lite/, served as it is.

The site needs nothing at run time but its own files: Pyodide (the browser's Python 3.14) is
served from the site, `kernelptr` and `widgets` are preloaded when the kernel starts (no
install cell), ipywidgets and anywidget work, and Graphviz runs as WebAssembly inside
`widgets`. Only matplotlib (plots) is fetched from Pyodide's CDN, and only when a plot is
drawn while the browser is online.

The build itself reaches only the package registries (npm for Pyodide, PyPI for the build
tools and the pure-Python wheels), and only on the first run: downloads are cached in
build/lite-cache/ (or $KERNELPTR_LITE_CACHE), so later builds work offline.

    python lite/build.py [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("KERNELPTR_LITE_CACHE", ROOT / "build" / "lite-cache"))
OUT = ROOT / "build" / "lite"

PYODIDE = "314.0.7"                 # npm `pyodide`: CPython 3.14.2 compiled to WebAssembly
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE}/full/"
# The tools that build the site (in a venv of their own, so JupyterLab is left alone), and the
# JupyterLab extensions the site bundles. ipywidgets, its lab extension and the Pyodide kernel
# must be pinned together: a mismatch silently breaks every widget.
TOOLS = ["jupyterlite-core==0.8.6", "jupyterlite-pyodide-kernel==0.8.6", "jupyter_server==2.21.1",
         "jupyterlab_widgets==3.0.17", "ipywidgets==8.1.9", "anywidget==0.11.0"]
# Wheels the browser's Python needs that Pyodide's own lock does not list: name -> (version,
# import names, dependencies named as in the lock).
SITE_WHEELS = {
    "comm": ("0.2.3", ["comm"], ["traitlets"]),
    "jupyterlab-widgets": ("3.0.17", ["jupyterlab_widgets"], []),
    "ipywidgets": ("8.1.9", ["ipywidgets"], ["comm", "ipython", "jupyterlab-widgets", "traitlets"]),
    "psygnal": ("0.16.1", ["psygnal"], ["typing-extensions"]),
    "anywidget": ("0.11.0", ["anywidget"], ["ipywidgets", "psygnal", "typing-extensions"]),
    "graphviz": ("0.21", ["graphviz"], []),
}
# What the kernel loads from Pyodide's lock at start (the Pyodide kernel's own needs, and the
# course's); with their dependencies these are the pure-Python wheels the site serves itself.
KERNEL_NEEDS = ["micropip", "ipython", "jedi", "traitlets", "typing-extensions"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def say(*args) -> None:
    print("lite:", *args, flush=True)


def sh(*cmd, **kwargs) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def tools_python() -> Path:
    """A venv with the pinned build tools (made once; reused while the pins are unchanged)."""
    key = hashlib.sha256("\n".join(TOOLS).encode()).hexdigest()[:10]
    venv = CACHE / f"tools-{key}"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not (venv / ".complete").exists():
        say("installing the site's build tools:", " ".join(TOOLS))
        shutil.rmtree(venv, ignore_errors=True)
        sh(sys.executable, "-m", "venv", venv)
        sh(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *TOOLS)
        (venv / ".complete").write_text("\n".join(TOOLS))
    return python


def pyodide_core() -> Path:
    """npm's `pyodide` package (the core: interpreter, standard library, lock; no wheels)."""
    folder = CACHE / "npm" / f"pyodide-{PYODIDE}"
    if not (folder / "package" / "pyodide-lock.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("lite: `npm` is needed once, to fetch Pyodide: sudo apt-get install npm")
        (CACHE / "npm").mkdir(parents=True, exist_ok=True)
        tgz = CACHE / "npm" / f"pyodide-{PYODIDE}.tgz"
        if not tgz.exists():
            say(f"fetching pyodide@{PYODIDE} from npm")
            sh(npm, "pack", "--silent", f"pyodide@{PYODIDE}", "--pack-destination", CACHE / "npm",
               stdout=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
        with tarfile.open(tgz) as tar:
            tar.extractall(folder, filter="data") if hasattr(tarfile, "data_filter") else \
                tar.extractall(folder)
    return folder / "package"


def lock_closure(lock: dict, roots) -> list:
    """The lock's package names needed by `roots`, dependencies included."""
    names = {n.lower().replace("_", "-"): n for n in lock["packages"]}
    seen, todo = [], list(roots)
    while todo:
        name = names[todo.pop().lower().replace("_", "-")]
        if name not in seen:
            seen.append(name)
            todo += lock["packages"][name]["depends"]
    return sorted(seen)


def download_wheels(specs) -> Path:
    """Pure-Python wheels (`name==version`) for CPython 3.14, from PyPI once, then cached."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    have = {w.name.split("-")[0].lower().replace("_", "-") + "==" + w.name.split("-")[1]
            for w in folder.glob("*.whl")}
    missing = [s for s in specs if s.lower().replace("_", "-") not in have]
    if missing:
        say("downloading wheels:", " ".join(missing))
        sh(sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
           "--no-deps", "--only-binary=:all:", "--platform", "any", "--python-version", "3.14",
           "-d", folder, *missing)
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_wheel(folder: Path) -> Path:
    """kernelptr and widgets as one pure-Python wheel, straight from the working tree."""
    version = "0.1.0"
    name = f"kernelptr-{version}-py3-none-any.whl"
    files = {}
    for package in ("kernelptr", "widgets"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    info = f"kernelptr-{version}.dist-info"
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: kernelptr\nVersion: {version}\n"
                                 "Summary: kernelptr for the course site\n").encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: kernelptr lite/build.py\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", len(data)])
    writer.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    out = folder / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files.items():
            whl.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return out


def pyodide_dist(target: Path) -> list:
    """The site's Pyodide: the core, the pure-Python wheels the kernel loads, the course's
    wheels, and a lock that names them all; packages the site does not ship point at
    Pyodide's CDN (matplotlib for the plots, fetched only when online)."""
    core = pyodide_core()
    lock = json.loads((core / "pyodide-lock.json").read_text())
    needed = lock_closure(lock, KERNEL_NEEDS)
    specs = [f"{lock['packages'][n]['name']}=={lock['packages'][n]['version']}" for n in needed]
    specs += [f"{n}=={v}" for n, (v, _, _) in SITE_WHEELS.items()]
    wheels = download_wheels(specs)
    target.mkdir(parents=True)
    for f in core.iterdir():
        if f.suffix in (".mjs", ".js", ".wasm", ".zip") or f.name == "pyodide-lock.json":
            shutil.copy(f, target)
    by_file = {p["file_name"]: n for n, p in lock["packages"].items()}
    shipped = []
    for wheel in sorted(wheels.glob("*.whl")):
        if wheel.name in by_file:             # PyPI's bytes differ from Pyodide's: new sha256
            name = by_file[wheel.name]
            if name in needed:
                shutil.copy(wheel, target)
                lock["packages"][name]["sha256"] = sha256(wheel)
                shipped.append(name)
    missing = sorted(set(needed) - set(shipped))
    if missing:
        sys.exit(f"lite: no wheel on PyPI matches Pyodide's lock for {missing}")
    for name, (version, imports, depends) in SITE_WHEELS.items():
        wheel = next(w for w in wheels.glob("*.whl")
                     if w.name.split("-")[0].lower().replace("_", "-") == name
                     and w.name.split("-")[1] == version)
        shutil.copy(wheel, target)
        lock["packages"][name] = dict(name=name, version=version, file_name=wheel.name,
                                      install_dir="site", sha256=sha256(wheel),
                                      package_type="package", imports=imports, depends=depends,
                                      unvendored_tests=False, tool={})
        shipped.append(name)
    wheel = course_wheel(target)
    lock["packages"]["kernelptr"] = dict(name="kernelptr", version="0.1.0", file_name=wheel.name,
                                         install_dir="site", sha256=sha256(wheel),
                                         package_type="package", imports=["kernelptr", "widgets"],
                                         depends=["ipywidgets", "anywidget", "graphviz"],
                                         unvendored_tests=False, tool={})
    shipped.append("kernelptr")
    for name, package in lock["packages"].items():
        if name not in shipped:
            package["file_name"] = PYODIDE_CDN + package["file_name"]
    (target / "pyodide-lock.json").write_text(json.dumps(lock))
    return shipped


def config() -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "kernelptr",
            "exposeAppInBrowser": True,          # window.jupyterapp, for the browser test
            "disabledExtensions": ["@jupyterlab/apputils-extension:announcements"],
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {
                    "pyodideUrl": "./static/pyodide/pyodide.mjs",
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": ["micropip", "kernelptr"]},
                },
            },
        },
    }


def build(out: Path) -> None:
    start = time.monotonic()
    tools = tools_python()
    stage = CACHE / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "files").mkdir(parents=True)
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, stage / "files")
    shipped = pyodide_dist(stage / "static" / "pyodide")
    (stage / "jupyter-lite.json").write_text(json.dumps(config(), indent=1))
    shutil.rmtree(out, ignore_errors=True)
    jupyter = tools.parent / ("jupyter.exe" if os.name == "nt" else "jupyter")
    sh(jupyter, "lite", "build", "--lite-dir", stage, "--contents", stage / "files",
       "--output-dir", out, "--no-sourcemaps", "--apps", "lab",
       cwd=stage, stdout=subprocess.DEVNULL)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    say(f"built {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: "
        f"{len(NOTEBOOKS)} notebooks, {len(shipped)} Python packages, {size / 2**20:.0f} MB, "
        f"in {time.monotonic() - start:.0f} s")
    say(f"try it: python lite/serve.py --dir {out}, then open http://127.0.0.1:8000/lab/index.html")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the site goes (build/lite)")
    args = parser.parse_args(argv)
    build(args.out.resolve())


if __name__ == "__main__":
    main()

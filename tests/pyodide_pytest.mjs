// Run pytest on this repository inside Pyodide (CPython compiled to WebAssembly) under Node.
// Used by tests/test_pythons.py, which downloads and caches what it needs; by hand:
//   node tests/pyodide_pytest.mjs PYODIDE_DIR REPO_DIR WHEELS_DIR [pytest args...]
// PYODIDE_DIR: an unpacked npm `pyodide` package; WHEELS_DIR: pure-Python wheels of pytest,
// hypothesis and their dependencies. The repository is mounted read-write at /repo, as a
// pytest run on the machine sees it; caches (bytecode, pytest's, hypothesis's) stay in memory.
// Prints `python X.Y.Z` first, then pytest's output; exits with pytest's exit code.
import { readFileSync, readdirSync } from "fs";
import { resolve } from "path";
import { pathToFileURL } from "url";

const [dist, repo, wheels, ...args] = process.argv.slice(2);
let rc = 3;
try {
  const { loadPyodide } = await import(pathToFileURL(resolve(dist, "pyodide.mjs")).href);
  const py = await loadPyodide({ indexURL: resolve(dist) + "/" });
  const site = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  for (const w of readdirSync(wheels).filter((f) => f.endsWith(".whl")))
    py.unpackArchive(new Uint8Array(readFileSync(resolve(wheels, w))), "wheel",
                     { extractDir: site });
  py.FS.mkdirTree("/repo");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: resolve(repo) }, "/repo");
  py.globals.set("PYTEST_ARGS", py.toPy(args));
  rc = py.runPython(`
import os, platform, sys
print("python", platform.python_version(), flush=True)
sys.dont_write_bytecode = True      # never write this Python's .pyc files into the repository
os.chdir("/repo")
sys.path.insert(0, "/repo")

import pytest


class PyodideProfile:
    """WebAssembly is slower than native and three of these runs share the machine: no
    deadlines; hypothesis's files go to memory, not into the repository."""

    @staticmethod
    def pytest_configure(config):
        from hypothesis import HealthCheck, settings
        from hypothesis.configuration import set_hypothesis_home_dir
        set_hypothesis_home_dir("/tmp/hypothesis")
        settings.register_profile("pyodide", deadline=None, database=None,
                                  suppress_health_check=[HealthCheck.too_slow])
        settings.load_profile("pyodide")


# fd-level capture needs file descriptors Pyodide lacks: capture at sys level.
int(pytest.main(["-p", "no:cacheprovider", "--capture=sys", *PYTEST_ARGS],
                plugins=[PyodideProfile()]))
`);
} catch (e) {
  // Only the Python (or loader) error: Node would otherwise print minified Pyodide source.
  console.error(String((e && e.message) || e));
}
process.exitCode = rc;

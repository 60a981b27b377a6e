#!/usr/bin/env bash
# Make sure the system programs kernelptr needs are present.
#   .ci/ensure-system-deps.sh [graphviz] [chromium] [node]
# graphviz: the `dot` program (renders every picture).
# chromium: /usr/bin/chromium (the real-browser test drives it through the
#           playwright Python package; we never let playwright download browsers).
# node:     `node` and `npm` (tests/test_pythons.py runs the model's tests on Python
#           3.12-3.14 in Pyodide under Node.js; npm fetches the Pyodide releases, also for
#           `make lite`, the course as a static site).
# Installs what is missing with apt-get (as root, or through passwordless sudo);
# otherwise exits non-zero saying exactly what to install.
set -euo pipefail

missing=()
for want in "$@"; do
    case "$want" in
        graphviz) command -v dot >/dev/null 2>&1 || missing+=(graphviz) ;;
        chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
        node) command -v node >/dev/null 2>&1 || missing+=(nodejs)
              command -v npm >/dev/null 2>&1 || missing+=(npm) ;;
        *) echo "ensure-system-deps: unknown dependency '$want' (know: graphviz, chromium, node)" >&2; exit 2 ;;
    esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ensure-system-deps: missing ${missing[*]}, and cannot install it (not root, no passwordless sudo)." >&2
    echo "Install it yourself, then re-run make:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    for m in "${missing[@]}"; do
        [ "$m" = graphviz ] && echo "  (or, in a conda environment: conda install -c conda-forge graphviz)" >&2
    done
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system-deps: missing ${missing[*]} and no apt-get here; install it with your package manager" \
         "(graphviz: conda install -c conda-forge graphviz)." >&2
    exit 1
fi

echo "ensure-system-deps: installing ${missing[*]} with apt-get"
apt=(apt-get -o DPkg::Lock::Timeout=300)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q "${missing[@]}" </dev/null

# Check the result, so a package that installed under another name is caught here.
for m in "${missing[@]}"; do
    case "$m" in
        graphviz) command -v dot >/dev/null 2>&1 || { echo "ensure-system-deps: graphviz installed but no 'dot' on PATH" >&2; exit 1; } ;;
        chromium) [ -x /usr/bin/chromium ] || { echo "ensure-system-deps: chromium installed but no /usr/bin/chromium (on Ubuntu, chromium is a snap; install a chromium that provides /usr/bin/chromium)" >&2; exit 1; } ;;
        nodejs|npm) command -v "${m/nodejs/node}" >/dev/null 2>&1 || { echo "ensure-system-deps: $m installed but no '${m/nodejs/node}' on PATH" >&2; exit 1; } ;;
    esac
done

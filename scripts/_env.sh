# Shared setup for the scripts in this folder: a local virtualenv (.venv) with every Python
# dependency, and the Debian packages the tests and the app need. Sourced, not run.
# Safe to call repeatedly: work is redone only when pyproject.toml changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

# Debian packages the app needs: Pango/HarfBuzz and fonts (WeasyPrint PDF reports), libGL/glib
# (OpenCV and MediaPipe for video analysis).
APP_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core libgl1 libglib2.0-0)
# ... and what the tests add: PostgreSQL (throwaway test server), Chromium (Playwright browser
# tests), poppler-utils (PDF -> PNG/text checks), wrk (scripts/loadtest).
TEST_PACKAGES=(postgresql chromium poppler-utils wrk opencv-doc)  # opencv-doc: real sample clips (video tests)

# ensure_debian_packages [PACKAGE...]: install whichever of them are missing (as root or via sudo).
ensure_debian_packages() {
  local wanted=("$@")
  command -v dpkg >/dev/null 2>&1 || { echo "note: not a Debian system; install the equivalents of: ${wanted[*]}" >&2; return 0; }
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}" >&2
  local SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required (found $("$PY" --version))" >&2; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV" || {
      rm -rf "$VENV"
      echo "Could not create .venv; on Debian/Ubuntu install python3-venv (apt-get install python3-venv)." >&2
      exit 1
    }
  fi
  local stamp="$VENV/.kinetrace-installed"
  local want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements/constraints.txt" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing Python dependencies into .venv (first run takes a few minutes)..." >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip setuptools wheel 2>&1 | grep -v '^WARNING: Location' >&2 || true
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$ROOT/requirements/constraints.txt" -e "$ROOT[all,dev]" 2>&1 | grep -v '^WARNING: Location' >&2 || true
    "$VENV/bin/python" -c 'import kinetrace, django, weasyprint, mediapipe, playwright' || { echo "dependency install failed" >&2; exit 1; }
    echo "$want" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# ensure_node_modules: the test-only npm packages of package.json (axe-core for the accessibility
# check in the browser tests), installed exactly as locked (npm ci) into node_modules/.
ensure_node_modules() {
  [ -f "$ROOT/package-lock.json" ] || return 0
  command -v npm >/dev/null 2>&1 || ensure_debian_packages nodejs npm
  local stamp="$ROOT/node_modules/.kinetrace-installed"
  local want
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing npm packages (npm ci)..." >&2
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
}

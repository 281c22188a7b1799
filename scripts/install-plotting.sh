#!/usr/bin/env bash
# Installs matplotlib for scripts/plot-experiment.py (from PyPI). Idempotent.
set -euo pipefail
python3 -c "import matplotlib" 2>/dev/null && exit 0
python3 -m pip install --quiet matplotlib 2>/dev/null || python3 -m pip install --quiet --break-system-packages matplotlib

#!/usr/bin/env bash
# Installs the model worker (worker/: PyTorch, Hugging Face transformers, tokenizers, peft,
# gguf) into a virtual environment cached across fresh clones: $ATTRIB_CACHE/worker-venv
# (default ~/.cache/attrib). First run: about 6 GB of wheels (PyPI's torch brings its CUDA
# libraries), minutes; later runs: seconds. The worker package itself runs from this
# checkout (PYTHONPATH=worker; `attrib worker` sets it). Prints the venv's python.
set -euo pipefail
CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
VENV="$CACHE/worker-venv"
mkdir -p "$CACHE"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import torch, transformers, tokenizers, safetensors, gguf, peft, accelerate' 2>/dev/null; then
  echo "install-worker: pip install torch, transformers and friends into $VENV (about 6 GB, minutes)" >&2
  "$PY" -m pip install -q --upgrade pip >&2
  "$PY" -m pip install -q torch transformers tokenizers safetensors gguf peft accelerate >&2
fi
echo "$PY"

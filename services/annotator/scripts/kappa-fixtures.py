"""Writes fixtures/kappa-sklearn.json: Cohen's kappa (unweighted, linear, quadratic) and confusion
matrices from scikit-learn for seeded random label pairs, for agreement.test.ts.
Run: .venv/bin/python services/annotator/scripts/kappa-fixtures.py"""
import json, pathlib, random
import sklearn
from sklearn.metrics import cohen_kappa_score, confusion_matrix

rng = random.Random(20251126)
cases = []
for n, k, agree in [(50, 2, 0.7), (200, 4, 0.5), (120, 4, 0.8), (30, 3, 0.3)]:
    a = [rng.randrange(k) for _ in range(n)]
    b = [x if rng.random() < agree else rng.randrange(k) for x in a]
    labels = sorted(set(a) | set(b))
    cases.append({
        "a": a, "b": b,
        "kappa": cohen_kappa_score(a, b),
        "linear": cohen_kappa_score(a, b, weights="linear"),
        "quadratic": cohen_kappa_score(a, b, weights="quadratic"),
        "labels": labels,
        "confusion": confusion_matrix(a, b, labels=labels).tolist(),
    })
out = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "kappa-sklearn.json"
out.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, indent=1) + "\n")
print(out)

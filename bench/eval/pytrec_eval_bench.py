"""pytrec_eval's side of bench/eval (run by bench.ts; prints one JSON object on stdout).

  python bench/eval/pytrec_eval_bench.py <qrels> <run> <measure>...

Times, in one fresh process: parsing both files with pytrec_eval.parse_qrel / parse_run (Python dicts), building
the RelevanceEvaluator, and evaluate(); means are averaged over the evaluated queries (trec_eval's default).
"""

import json
import sys
import time

import pytrec_eval


def main():
    qrels_path, run_path, *measures = sys.argv[1:]
    t0 = time.perf_counter()
    with open(qrels_path) as f:
        qrels = pytrec_eval.parse_qrel(f)
    with open(run_path) as f:
        run = pytrec_eval.parse_run(f)
    t1 = time.perf_counter()
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(measures))
    t2 = time.perf_counter()
    per_query = evaluator.evaluate(run)
    t3 = time.perf_counter()
    names = sorted({name for values in per_query.values() for name in values})
    means = {name: sum(v[name] for v in per_query.values()) / len(per_query) for name in names}
    print(
        json.dumps(
            {
                "parseSeconds": t1 - t0,
                "setupSeconds": t2 - t1,
                "evaluateSeconds": t3 - t2,
                "totalSeconds": t3 - t0,
                "queries": len(per_query),
                "means": means,
                "version": getattr(pytrec_eval, "__version__", "pytrec_eval-terrier"),
            }
        )
    )


if __name__ == "__main__":
    main()

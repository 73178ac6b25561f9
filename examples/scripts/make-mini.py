#!/usr/bin/env python3
"""Build examples/mini/, a small BEIR-layout collection, from Cranfield 1400 (Glasgow format).

Usage: python3 examples/scripts/make-mini.py [CRANFIELD_DIR] [OUT_DIR]
Defaults: <repo>/../shared/data/cranfield and <repo>/examples/mini. Deterministic: rerunning
gives byte-identical files. Standard library only.

Parsing follows the rules documented in @ferret/datasets (glasgow.ts, cranfield.ts), written
independently here so a test can check the TypeScript readers against this output:
- records start with ".I <id>"; a line that is only ".X" starts field X; a marker for a field the
  record already has continues the current field (Cranfield docs 240, 576, 578 need this);
- field lines are joined with single spaces and whitespace is collapsed;
- queries are renumbered 1..225 in file order (cranqrel uses those numbers, not the .I values);
- Cleverdon codes become grades 1->4, 2->3, 3->2, 4->1, -1->0 (higher = more relevant).
"""
import json
import os
import re
import sys

MARKER = re.compile(r"^\.([A-Z])(?:[ \t]+(.*))?$")
GRADES = {1: 4, 2: 3, 3: 2, 4: 1, 5: 0, -1: 0}

QUERY_LIMIT = 50  # queries in the subset
JUDGED_DOC_BUDGET = 260  # at most this many judged documents
CORPUS_SIZE = 400  # judged documents plus distractors


def read_glasgow(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().replace("\r\n", "\n").split("\n")
    records, current, field = [], None, None
    for line in lines:
        m = MARKER.match(line)
        if m and m.group(1) == "I":
            current = {"id": m.group(2).strip(), "fields": {}}
            records.append(current)
            field = None
        elif current is None:
            continue
        elif m:
            if m.group(1) not in current["fields"]:
                field = current["fields"].setdefault(m.group(1), [])
            if m.group(2) is not None and field is not None:
                field.append(m.group(2))
        elif field is not None:
            field.append(line)
    for r in records:
        r["fields"] = {k: " ".join(" ".join(v).split()) for k, v in r["fields"].items()}
    return records


def main():
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "..", "shared", "data", "cranfield")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "examples", "mini")

    docs = {r["id"]: r["fields"] for r in read_glasgow(os.path.join(src, "cran.all.1400"))}
    queries = [(str(i + 1), r) for i, r in enumerate(read_glasgow(os.path.join(src, "cran.qry")))]
    qrels = {}
    with open(os.path.join(src, "cranqrel"), encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if cols:
                qid, docid, code = cols
                qrels.setdefault(qid, {})[docid] = GRADES[int(code)]

    # Queries in file order whose judged documents fit the budget, so every chosen query is
    # judged completely inside the subset.
    chosen, judged = [], set()
    for qid, _ in queries:
        docs_q = set(qrels.get(qid, {}))
        if not any(g > 0 for g in qrels.get(qid, {}).values()):
            continue
        if len(judged | docs_q) > JUDGED_DOC_BUDGET:
            continue
        chosen.append(qid)
        judged |= docs_q
        if len(chosen) == QUERY_LIMIT:
            break
    # Distractors: unjudged (for the chosen queries) documents spread over the collection.
    subset = set(judged)
    for docid in sorted(docs, key=int)[::3]:
        if len(subset) >= CORPUS_SIZE:
            break
        subset.add(docid)

    os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for docid in sorted(subset, key=int):
            fields = docs[docid]
            metadata = {}
            if fields.get("A"):
                metadata["author"] = fields["A"]
            if fields.get("B"):
                metadata["bibliography"] = fields["B"]
            row = {"_id": docid, "title": fields.get("T", ""), "text": fields.get("W", ""), "metadata": metadata}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    by_id = dict(queries)
    with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for qid in chosen:
            r = by_id[qid]
            row = {"_id": qid, "text": r["fields"].get("W", ""), "metadata": {"originalId": r["id"]}}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for qid in chosen:
            for docid, grade in qrels[qid].items():
                f.write(f"{qid}\t{docid}\t{grade}\n")
    rows = sum(len(qrels[q]) for q in chosen)
    print(f"{out}: {len(subset)} documents, {len(chosen)} queries, {rows} judgments")


if __name__ == "__main__":
    main()

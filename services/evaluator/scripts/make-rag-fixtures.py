#!/usr/bin/env python3
"""Writes services/evaluator/fixtures/rag/answer-metrics.json: expected answer metrics for a set of
(prediction, references, passages, question) cases, computed with the reference logic re-implemented here:

  - normalisation, exact match and F1: SQuAD v1.1's evaluate script (normalize_answer, exact_match_score,
    f1_score, metric_max_over_ground_truths), with instruct-qa's empty-input rule for F1 (1 when both sides
    have no tokens, 0 when one side has none; SQuAD v1.1 itself gives 0 when both are empty);
  - token recall, K-Precision and K-Precision++: instruct-qa (Adlakha et al., TACL 2024),
    instruct_qa/evaluation/metrics.py Recall and faithfulness_metrics.py KPrecision / KPrecisionPlusPlus.

Run: .venv/bin/python services/evaluator/scripts/make-rag-fixtures.py
"""

import json
import re
import string
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "rag" / "answer-metrics.json"


# --- SQuAD v1.1 evaluate script -------------------------------------------------------------------------
def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def tokens(s):
    return normalize_answer(s).split() if s else []


def f1_score(prediction, ground_truth):
    prediction_tokens = tokens(prediction)
    ground_truth_tokens = tokens(ground_truth)
    if not prediction_tokens or not ground_truth_tokens:
        return float(prediction_tokens == ground_truth_tokens)
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def exact_match_score(prediction, ground_truth):
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    return max(metric_fn(prediction, gt) for gt in ground_truths)


# --- instruct-qa ----------------------------------------------------------------------------------------
def recall_score(prediction, reference):
    reference_tokens = tokens(reference)
    prediction_tokens = tokens(prediction)
    if len(reference_tokens) == 0:
        return 1.0
    common = Counter(reference_tokens) & Counter(prediction_tokens)
    num_common = sum(common.values())
    if num_common == 0:
        return 0.0
    return 1.0 * num_common / len(reference_tokens)


def k_precision(prediction, passages):
    knowledge = tokens(" ".join(passages))
    prediction_tokens = tokens(prediction)
    if len(prediction_tokens) == 0:
        return 0.0
    common = Counter(knowledge) & Counter(prediction_tokens)
    num_common = sum(common.values())
    return 1.0 * num_common / len(prediction_tokens) if num_common else 0.0


def k_precision_plus_plus(prediction, passages, history):
    knowledge = tokens(" ".join(passages))
    query_tokens = tokens(" ".join(history))
    prediction_tokens = [t for t in tokens(prediction) if t not in query_tokens]
    if len(prediction_tokens) == 0:
        return 1.0
    common = Counter(knowledge) & Counter(prediction_tokens)
    num_common = sum(common.values())
    return 1.0 * num_common / len(prediction_tokens) if num_common else 0.0


CASES = [
    {
        "prediction": "The Eiffel Tower is in Paris, France.",
        "references": ["Paris", "Paris, France"],
        "passages": ["The Eiffel Tower is a wrought-iron lattice tower in Paris, France.", "It was built in 1889."],
        "history": ["Where is the Eiffel Tower?"],
    },
    {
        "prediction": "paris",
        "references": ["Paris!"],
        "passages": ["Paris is the capital."],
        "history": ["What is the capital of France?"],
    },
    {
        "prediction": "It was an apple, the apple and a pear.",
        "references": ["apple apple pear pear"],
        "passages": ["An apple a day; pears too."],
        "history": ["Which fruit?"],
    },
    {
        "prediction": "The state-of-the-art model (GPT-4) scored 86.4%.",
        "references": ["state of the art GPT4 scored 86.4%", "86.4"],
        "passages": ["GPT-4 reached 86.4% on MMLU, a state-of-the-art result."],
        "history": ["How did the state-of-the-art model score?"],
    },
    {
        "prediction": "",
        "references": ["something"],
        "passages": ["something"],
        "history": ["q"],
    },
    {
        "prediction": "a an the",
        "references": ["the"],
        "passages": ["nothing here"],
        "history": ["a question"],
    },
    {
        "prediction": "Théa and Ωmega went to São Paulo",
        "references": ["São Paulo", "théa"],
        "passages": ["ÉTÉ in São Paulo with Théa"],
        "history": ["Where did Théa go?"],
    },
    {
        # Python's str.split() also splits on \x1c-\x1f and \x85, which JavaScript's \s does not.
        "prediction": "the answer\tis\n42\u00a0exactly\x85so\x1cthere",
        "references": ["42"],
        "passages": ["The answer is 42."],
        "history": ["What is the answer?"],
    },
    {
        "prediction": "What is the answer? The answer.",
        "references": [""],
        "passages": [""],
        "history": ["What is the answer?"],
    },
    {
        # Article boundaries next to non-ASCII letters: Python's Unicode \b keeps "éthe" and "aé".
        "prediction": "éthe an aé the_ 2a a2 théa a",
        "references": ["éthe aé"],
        "passages": ["aé"],
        "history": ["éthe"],
    },
    {
        "prediction": "underscore_word and an_apple theatre",
        "references": ["underscore_word apple"],
        "passages": ["an_apple a theatre"],
        "history": [],
    },
]


def main():
    out = []
    for case in CASES:
        p, refs, ps, hist = case["prediction"], case["references"], case["passages"], case["history"]
        out.append(
            {
                **case,
                "normalizedPrediction": normalize_answer(p),
                "exactMatch": metric_max_over_ground_truths(exact_match_score, p, refs),
                "tokenF1": metric_max_over_ground_truths(f1_score, p, refs),
                "tokenRecall": metric_max_over_ground_truths(recall_score, p, refs),
                "kPrecision": k_precision(p, ps),
                "kPrecisionPlusPlus": k_precision_plus_plus(p, ps, hist),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"cases": out}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the tiny test models and their PyTorch/Hugging Face reference outputs.

Writes packages/inference/fixtures/:
  tiny-bert/       bi-encoder (BertModel, 2 layers, hidden 32, random weights): tokenizer.json,
                   config.json, model.onnx (fp32), model.int8.onnx (onnxruntime quantize_dynamic), ferret.json
  tiny-bert-ce1/   cross-encoder, BertForSequenceClassification with 1 label (ferret.json: sigmoid)
  tiny-bert-ce2/   cross-encoder with 2 labels (ferret.json: softmax-positive)
  position-probe/  an ONNX graph that outputs its position_ids (checks how Ferret feeds them)
  tokenizers/      tiny byte-level BPE and Unigram tokenizer.json files (tokenizer-only parity)
  reference.json   token ids from the Hugging Face fast tokenizer, PyTorch embeddings (mean+normalize,
                   CLS, last token) and cross-encoder logits, computed one text at a time (no padding)

The vitest suites compare Ferret's tokenizer + ONNX Runtime + pooling against these numbers, so the
reference is PyTorch running the same weights, never our own code.

Run: .venv/bin/python packages/inference/scripts/make-fixtures.py  (deps: infra/dev/requirements-fixtures.txt)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import onnx
import onnxruntime
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertForSequenceClassification, BertModel, PreTrainedTokenizerFast

# The ONNX export is the trainer engine's (services/trainer/engine/ferret_engine/onnx_export.py), shared with
# export-model.py and the engine's own export.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "services" / "trainer" / "engine"))
from ferret_engine.onnx_export import OPSET, export_onnx, quantize_int8  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "fixtures"
MAX_LENGTH = 24
CE_MAX_LENGTH = 40

WORDS = """
the a an of to in and or is are was were be been being it its this that these those for on with as by at
from not no but if then than so such can could will would should may might must do does did done have has
had having i you he she we they me him her us them my your his our their what which who whom whose when
where why how all any both each few more most other some own same very just also only about into over
after before under between through during without within against among again further once here there
cell cells protein proteins gene genes dna rna virus viral infection immune response patient patients
disease diseases cancer tumor tumour treatment therapy drug drugs dose doses effect effects risk study
studies trial trials clinical data result results increase increased decrease decreased level levels
blood heart brain liver lung kidney bone muscle skin human mouse mice rat model models expression
receptor receptors pathway signal signaling activity function role mechanism associated association
high low rate rates age children adults women men population health care hospital vaccine vaccines
covid sars coronavirus influenza antibody antibodies acid acids molecule molecular structure binding
search retrieval query queries document documents passage passages rank ranking relevant relevance
model learning neural network dense sparse vector vectors index embedding embeddings score scores
fox dog cat quick brown lazy jumps over river city paris france berlin germany water fire earth air
good bad new old big small large long short first last many much time year years day days people
café naive resume über zürich tokyo
""".split()
SUBWORDS = ["##s", "##es", "##ed", "##ing", "##ly", "##er", "##est", "##ion", "##ions", "##al", "##ity", "##ness"]
CHARS = list("abcdefghijklmnopqrstuvwxyz0123456789")
PUNCT = list(".,;:!?'\"()[]-/%&+=*<>#@$")
CJK = list("中文日本語検索")

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "the quick brown fox",
    "Dense retrieval with neural embeddings",
    "COVID-19 vaccines reduce the risk of severe disease in adults.",
    "Café in Zürich, naïve résumé!",
    "中文 检索 日本語",
    "Proteins binding receptors: signaling pathways & gene expression (2019).",
    "a",
    " ",
    "",
    "!!!",
    "unknownwordxyz qwertyuiop",
    "Über Tokyo, Paris and Berlin",
    "The the THE tHe",
    "mice and rats were treated with a high dose of the drug for 12 days",
    "emoji 🦊 and tab\tand newline\nhere",
    " ".join(["cells"] * 40),
    "long text beyond max length: " + " ".join(WORDS[:60]),
    "numbers 3.14159 and 42% of 1000 patients",
    "query: what is the role of dna in cancer",
]

PAIRS = [
    ("what causes cancer", "Tumor cells grow when gene expression in a cell changes."),
    ("vaccine risk", "COVID-19 vaccines reduce the risk of severe disease in adults."),
    ("vaccine risk", "The quick brown fox jumps over the lazy dog."),
    ("Café Zürich", "über café"),
    ("", "an empty query"),
    ("long passage", " ".join(WORDS[:80])),
    (" ".join(WORDS[100:160]), "long query short passage"),
    (" ".join(WORDS[:50]), " ".join(WORDS[200:260])),
]


def build_tokenizer() -> PreTrainedTokenizerFast:
    """A BERT-uncased style WordPiece tokenizer (the same pipeline BertTokenizerFast builds)."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    for tok in WORDS + SUBWORDS + CHARS + ["##" + c for c in CHARS] + PUNCT + CJK:
        tok = tok.lower()
        if tok not in vocab:
            vocab.append(tok)
    ids = {tok: i for i, tok in enumerate(vocab)}
    t = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]", max_input_chars_per_word=100))
    # lowercase + strip accents (strip_accents=None follows lowercase): "Zürich" -> "zurich"
    t.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    t.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    t.decoder = decoders.WordPiece(prefix="##")
    t.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return PreTrainedTokenizerFast(
        tokenizer_object=t,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )


# the tiny vocabulary's ids for the trace ([CLS] ... [SEP], the second row padded)
EXAMPLE_IDS = [[2, 10, 11, 12, 3], [2, 13, 3, 0, 0]]


def bert_config(vocab_size: int, **extra) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        type_vocab_size=2,
        # wider than BERT's 0.02 so that texts get clearly different embeddings (a pooling or
        # masking bug must move the cosine far below the test's threshold)
        initializer_range=0.25,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        **extra,
    )


def write_model_dir(name: str, tok: PreTrainedTokenizerFast, config: BertConfig, ferret: dict) -> Path:
    d = OUT / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    # saved without the truncation/padding state that earlier calls may have left on the backend:
    # Ferret applies maxLength from ferret.json itself
    backend = Tokenizer.from_str(tok.backend_tokenizer.to_str())
    backend.no_truncation()
    backend.no_padding()
    backend.save(str(d / "tokenizer.json"))
    config.to_json_file(str(d / "config.json"))
    (d / "ferret.json").write_text(json.dumps(ferret, indent=2) + "\n", encoding="utf-8")
    return d


def build_other_tokenizers() -> dict:
    """Tiny byte-level BPE (GPT-2/RoBERTa style) and Unigram (SentencePiece/T5 style) tokenizer.json files,
    trained on the fixture words, with Hugging Face's ids for the fixture texts and pairs (truncated).
    The Unigram trainer is not bit-reproducible from run to run (tokenizers 0.23), so each run writes a
    slightly different unigram.json; its reference ids are always recomputed from the file written."""
    corpus = [" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 6)] + TEXTS
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=400,
            special_tokens=["<s>", "<pad>", "</s>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    bpe.post_processor = processors.RobertaProcessing(("</s>", bpe.token_to_id("</s>")), ("<s>", bpe.token_to_id("<s>")))

    uni = Tokenizer(models.Unigram())
    uni.normalizer = normalizers.NFKC()
    uni.pre_tokenizer = pre_tokenizers.Metaspace()
    uni.decoder = decoders.Metaspace()
    uni.train_from_iterator(
        corpus,
        trainers.UnigramTrainer(
            vocab_size=300, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>", show_progress=False
        ),
    )
    eos = uni.token_to_id("</s>")
    uni.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B:1 </s>:1", special_tokens=[("</s>", eos)]
    )

    out = {}
    d = OUT / "tokenizers"
    d.mkdir(parents=True, exist_ok=True)
    for name, t in (("bpe", bpe), ("unigram", uni)):
        t.save(str(d / f"{name}.json"))
        t.enable_truncation(MAX_LENGTH)  # longest_first for pairs, as transformers' truncation=True
        out[name] = {
            "maxLength": MAX_LENGTH,
            "texts": [t.encode(text).ids for text in TEXTS],
            "pairs": [
                {"ids": e.ids, "typeIds": e.type_ids} for e in (t.encode(q, p) for q, p in PAIRS)
            ],
        }
    return out


def build_position_probe(tok: PreTrainedTokenizerFast) -> None:
    """A 3-node ONNX graph whose "hidden state" is the position id (last_hidden_state[b, s, 0] =
    float(position_ids[b, s])): checks that Ferret feeds position_ids as Hugging Face does for
    decoder models (cumsum(attention_mask) - 1) when a graph declares them."""
    from onnx import TensorProto, helper

    axes = ["batch", "sequence"]
    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["position_ids"], ["pos_f"], to=TensorProto.FLOAT),
            helper.make_node("Constant", [], ["axes"], value=helper.make_tensor("axes", TensorProto.INT64, [1], [2])),
            helper.make_node("Unsqueeze", ["pos_f", "axes"], ["last_hidden_state"]),
        ],
        "position_probe",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, axes),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, axes),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, axes),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*axes, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    config = BertConfig(vocab_size=len(tok), hidden_size=1, num_attention_heads=1, max_position_embeddings=64)
    d = write_model_dir(
        "position-probe",
        tok,
        config,
        {
            "formatVersion": 1,
            "kind": "bi-encoder",
            "pooling": "last-token",
            "normalize": False,
            "maxLength": MAX_LENGTH,
            "dimension": 1,
        },
    )
    onnx.save(model, str(d / "model.onnx"))


def main() -> None:
    torch.manual_seed(20261126)
    OUT.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer()

    # ---- bi-encoder --------------------------------------------------------------------------
    config = bert_config(len(tok))
    bert = BertModel(config, add_pooling_layer=False).eval()
    d = write_model_dir(
        "tiny-bert",
        tok,
        config,
        {
            "formatVersion": 1,
            "kind": "bi-encoder",
            "pooling": "mean",
            "normalize": True,
            "queryPrefix": "",
            "documentPrefix": "",
            "maxLength": MAX_LENGTH,
            "dimension": config.hidden_size,
            "quantized": "model.int8.onnx",
        },
    )
    export_onnx(bert, d / "model.onnx", example_ids=EXAMPLE_IDS)
    quantize_int8(d / "model.onnx", d / "model.int8.onnx")

    ref_texts = []
    with torch.no_grad():
        for text in TEXTS:
            enc = tok(text, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            hidden = bert(**enc).last_hidden_state[0]  # [seq, dim], no padding: one text at a time
            mean = hidden.mean(dim=0)
            ref_texts.append(
                {
                    "text": text,
                    "ids": enc["input_ids"][0].tolist(),
                    "mean": torch.nn.functional.normalize(mean, dim=0).tolist(),
                    "meanRaw": mean.tolist(),
                    "cls": hidden[0].tolist(),
                    "lastToken": hidden[-1].tolist(),
                }
            )

    build_position_probe(tok)

    # ---- cross-encoders ----------------------------------------------------------------------
    ce_refs = {}
    for labels, activation in ((1, "sigmoid"), (2, "softmax-positive")):
        ce_config = bert_config(len(tok), num_labels=labels)
        ce = BertForSequenceClassification(ce_config).eval()
        name = f"tiny-bert-ce{labels}"
        cd = write_model_dir(
            name,
            tok,
            ce_config,
            {
                "formatVersion": 1,
                "kind": "cross-encoder",
                "maxLength": CE_MAX_LENGTH,
                "scoreActivation": activation,
                **({"positiveLabel": 1} if labels == 2 else {}),
            },
        )
        export_onnx(ce, cd / "model.onnx", output="logits", example_ids=EXAMPLE_IDS)
        rows = []
        with torch.no_grad():
            for query, passage in PAIRS:
                enc = tok(query, passage, truncation=True, max_length=CE_MAX_LENGTH, return_tensors="pt")
                logits = ce(**enc).logits[0]
                rows.append(
                    {
                        "query": query,
                        "passage": passage,
                        "ids": enc["input_ids"][0].tolist(),
                        "typeIds": enc["token_type_ids"][0].tolist(),
                        "logits": logits.tolist(),
                    }
                )
        ce_refs[name] = rows

    reference = {
        "generator": "packages/inference/scripts/make-fixtures.py",
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
        },
        "maxLength": MAX_LENGTH,
        "texts": ref_texts,
        "crossEncoders": ce_refs,
        "tokenizers": build_other_tokenizers(),
    }
    (OUT / "reference.json").write_text(json.dumps(reference) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"fixtures written to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()

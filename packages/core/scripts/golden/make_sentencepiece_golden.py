"""Expected ids for the sentencepiece-style Llama tokenizer fixture, from SentencePiece itself.

Writes packages/core/test/fixtures/tokenizers/sentencepiece-golden.json, which
packages/core/src/tokenizer/llama-sentencepiece.test.ts compares tunekit's encode and decode
against.

Re-run (from the repository root, with Debian's python3-sentencepiece and python3-protobuf;
not part of CI):

    /usr/bin/python3 packages/core/scripts/golden/make_sentencepiece_golden.py

The fixture's tokenizer.json is what transformers' LlamaConverter makes of a sentencepiece
BPE model. This script goes the other way: it rebuilds that model (a ModelProto) from the
fixture's vocabulary, scoring merged pieces by merge rank (earlier merge, higher score, as
the converter orders them), and encodes with SentencePiece's own C++ BPE, normaliser
(dummy prefix, whitespace to U+2581) and byte fallback. The added chat tokens exist only in
tokenizer.json, so the texts here are plain text.
"""

import json
import os

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

FIXTURES = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'tokenizers')
)
TOKENIZER = os.path.join(FIXTURES, 'llama-sentencepiece', 'tokenizer.json')
OUT = os.path.join(FIXTURES, 'sentencepiece-golden.json')

TEXTS = ['Hello world', 'Hello  world', ' Hello', 'Hé 😀', 'world!', 'Hello wörld!!', 'dH']


def build_model(tokenizer):
    bpe = tokenizer['model']
    added = {t['content'] for t in tokenizer['added_tokens']}
    rank = {a + b: i for i, (a, b) in enumerate(bpe['merges'])}
    by_id = sorted((i, p) for p, i in bpe['vocab'].items() if p not in added or i < 3)
    model = pb.ModelProto()
    for i, piece in by_id:
        assert i == len(model.pieces), 'ids must be dense'
        p = model.pieces.add()
        p.piece = piece
        if piece == '<unk>':
            p.type = pb.ModelProto.SentencePiece.UNKNOWN
        elif piece in ('<s>', '</s>'):
            p.type = pb.ModelProto.SentencePiece.CONTROL
        elif piece.startswith('<0x') and len(piece) == 6:
            p.type = pb.ModelProto.SentencePiece.BYTE
        else:
            p.type = pb.ModelProto.SentencePiece.NORMAL
            # Merged pieces by rank; single characters below all of them (never merge results).
            p.score = -float(rank[piece]) if piece in rank else -1000.0 - i
    model.trainer_spec.model_type = pb.TrainerSpec.BPE
    model.trainer_spec.vocab_size = len(model.pieces)
    model.trainer_spec.byte_fallback = True
    model.trainer_spec.unk_id = 0
    model.trainer_spec.bos_id = 1
    model.trainer_spec.eos_id = 2
    model.trainer_spec.pad_id = -1
    model.normalizer_spec.name = 'identity'
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = True
    return model


def main():
    with open(TOKENIZER, encoding='utf-8') as f:
        tokenizer = json.load(f)
    sp = spm.SentencePieceProcessor(model_proto=build_model(tokenizer).SerializeToString())
    cases = []
    for text in TEXTS:
        ids = sp.encode(text, add_bos=True)
        cases.append({'text': text, 'ids': ids, 'decoded': sp.decode(ids)})
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump({'source': 'sentencepiece ' + spm.__version__, 'cases': cases}, f, ensure_ascii=False, indent=2)
        f.write('\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()

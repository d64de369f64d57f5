"""Narrative speed, as ratios against baselines measured in the same run.

    .venv/bin/python benchmarks/bench_narrative.py               # random GPT-2 (4 layers, 256 wide), 200 tokens
    .venv/bin/python benchmarks/bench_narrative.py --layers 12 --width 768 --tokens 100

Decoding: gamegen's seeded KV-cache loop (greedy) vs transformers' ``generate(do_sample=False)`` on the same
random GPT-2 — the tokens must be identical and the time within ~1.3× — and vs the same loop without a cache
(re-running the whole context every token), which the cache must beat once the model is not tiny.
Constrained JSON: tokens per second of masked string values vs free sampling on the same model (target ≥ 0.7×).
Procedural: quest lines with dialogue per second, and Tracery expansions per second. Timings are the minimum of
repeats, on one thread (several threads spin against each other when other work shares the cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import gamegen  # noqa: E402
from gamegen.ml.constrained import JsonWriter  # noqa: E402
from gamegen.ml.sampling import Sampling, open_decoder  # noqa: E402
from gamegen.narrative.tracery import load_grammar  # noqa: E402


def best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_model(root: Path, layers: int, width: int) -> str:
    """The tests' tiny tokenizer with a bigger random GPT-2 (the shape decides the speed, not the weights)."""
    from tiny_models import make_tiny_gpt2
    from transformers import GPT2Config, GPT2LMHeadModel

    path = make_tiny_gpt2(root / "gpt2")
    config = GPT2Config.from_pretrained(path)
    config.n_layer, config.n_embd, config.n_head, config.n_positions = layers, width, max(2, width // 64), 1024
    GPT2LMHeadModel(config).save_pretrained(path, safe_serialization=True)
    return str(path)


_QUEST_RATE = """
import time, gamegen
gamegen.run_generator("narrative.quest", {}, seed=0)
best = min(
    (lambda t: ([gamegen.run_generator("narrative.quest", {}, seed=s) for s in range(50)], time.perf_counter() - t)[1])(
        time.perf_counter()
    )
    for _ in range(5)
)
print(50 / best)
"""


def _quest_lines_per_second(tree: Path) -> float:
    """Default quest lines per second (best of 5 × 50) with the gamegen of source tree ``tree``, in a subprocess."""
    paths = [tree, *sorted((tree / "plugins").glob("*"))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, paths)), "NUMBA_NUM_THREADS": "1"}
    run = [sys.executable, "-c", _QUEST_RATE]  # in the tree: the current folder comes first on sys.path
    out = subprocess.run(run, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument(
        "--baseline-tree",
        type=Path,
        help="a checkout of an older gamegen (git worktree add /tmp/old REV): its quest lines/s, measured the same "
        "way in a subprocess, becomes the baseline of the quest-lines ratio",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"load average (1 min) {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; one thread")
    with tempfile.TemporaryDirectory() as tmp:
        model = make_model(Path(tmp), args.layers, args.width)
        ctx = gamegen.Context(0)
        decoder = open_decoder(model, ctx, Sampling(greedy=True))
        lm, tok = decoder.model, decoder.tokenizer
        prompt = "The old tavern keeper tells of a dragon"
        ids = tok(prompt, return_tensors="pt").input_ids
        n = args.tokens

        def ours() -> list[int]:
            d = decoder.restart(prompt)
            for _ in range(n):
                token = d.pick()
                d.feed([token])
            return d.ids[ids.shape[1] :]

        def hf() -> list[int]:
            with torch.inference_mode():
                out = lm.generate(
                    ids, do_sample=False, max_new_tokens=n, min_new_tokens=n, pad_token_id=tok.eos_token_id
                )
            return out[0, ids.shape[1] :].tolist()

        def no_cache() -> None:
            seq = ids
            with torch.inference_mode():
                for _ in range(n):
                    seq = torch.cat([seq, lm(seq).logits[:, -1].argmax(-1, keepdim=True)], dim=1)

        assert ours() == hf(), "greedy tokens differ from transformers' generate()"
        t_ours, t_hf, t_naive = best(ours), best(hf), best(no_cache)
        print(f"decoding {n} tokens, GPT-2 {args.layers}x{args.width}: gamegen {n / t_ours:.0f} tok/s")
        print(f"  vs transformers generate(): {t_ours / t_hf:.2f}x the time (identical tokens)")
        print(f"  vs no KV cache:             {t_naive / t_ours:.1f}x faster")

        sampler = open_decoder(model, ctx, Sampling(temperature=1.0, top_k=0, top_p=1.0))

        def free() -> int:
            d = sampler.restart(prompt)
            for _ in range(n):
                d.feed([d.pick()])
            return n

        def constrained() -> int:
            w = JsonWriter(sampler.restart(prompt), budget=n)
            while w.used < n:
                w.text(f"field{len(w.values)}", 40)
            return w.used

        t_free = best(free)
        t_json = best(constrained)
        print(
            f"constrained JSON strings: {constrained() / t_json:.0f} tok/s vs free sampling {n / t_free:.0f} tok/s "
            f"({(constrained() / t_json) / (n / t_free):.2f}x)"
        )

    t_line = best(lambda: gamegen.run_generator("narrative.quest", {"chain_length": 3}, seed=1), repeats=5)
    quests = lambda: [gamegen.run_generator("narrative.quest", {}, seed=s) for s in range(50)]  # noqa: E731
    t_one_pass = best(quests)
    import gamegen.content_filter as cf

    combine = cf._one_pass
    cf._one_pass = lambda patterns: None  # baseline: every term searched alone (the filter before the one-pass scan)
    t_term_by_term = best(quests)
    cf._one_pass = combine
    print(
        f"content filter: 50 default quest lines in {t_one_pass:.2f} s with the one-pass scan vs {t_term_by_term:.2f} s "
        f"term by term (baseline): {t_term_by_term / t_one_pass:.2f}× quest lines per second"
    )
    if args.baseline_tree is not None:
        trees = [args.baseline_tree, Path(__file__).resolve().parent.parent]
        rates = [_quest_lines_per_second(tree) for tree in trees for _ in range(2)]
        old, new = max(rates[:2]), max(rates[2:])
        print(
            f"quest lines per second, one core: {new:.1f} vs {old:.1f} in {args.baseline_tree} (baseline): "
            f"{new / old:.2f}× (expect ≥ 2×)"
        )
    grammar, rng = load_grammar("taverns"), np.random.default_rng(0)
    t_tracery = best(lambda: [grammar.expand("origin", rng) for _ in range(2000)])
    print(
        f"procedural: {1 / t_line:.1f} quest lines (3 quests + dialogue) per second; "
        f"Tracery: {2000 / t_tracery:.0f} tavern names per second"
    )


if __name__ == "__main__":
    main()

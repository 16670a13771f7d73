"""Which model should the README's first command train? Candidates with an encoder, each trained the same number of
steps on mnist5k's train split, with the quickstart's end-of-run evaluation (reconstruction class agreement and MSE
on held-out digits, classifier FID of samples) and the wall time, printed side by side.

    OMP_NUM_THREADS=1 python scripts/quickstart_candidates.py --steps 1500 --out /tmp/qs
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

CANDIDATES = {
    "vae": ["model.name=vae", "model.latent_dim=16", "model.width=32"],
    "glo": ["model.name=glo", "model.latent_dim=16", "model.width=32"],
    "alice": ["model.name=ali", "model.arch=mnist28", "model.width_scale=0.25", "model.init=default",
              "model.latent_dim=16", "model.recon_weight=1.0"],
}


def main() -> None:
    """Train each candidate, evaluate it at its last step, print one table."""
    import latentgan
    from latentgan.config import load_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=list(CANDIDATES))
    args = parser.parse_args()
    rows = []
    for name in args.only:
        overrides = [*CANDIDATES[name], "data.name=mnist5k", "data.split=train", f"train.steps={args.steps}",
                     f"train.eval_every={args.steps}", "train.eval_metrics=[recon,cfid]", "train.eval_n=1000",
                     "train.progress=false", f"train.checkpoint_every={args.steps}", f"train.sample_every={args.steps}"]
        start = time.time()
        run = latentgan.train(load_config(None, overrides), out=args.out / name)
        seconds = time.time() - start
        final = [json.loads(line) for line in (Path(run) / "metrics.jsonl").read_text().splitlines()][-1]
        rows.append({"model": name, "wall s (train + eval)": round(seconds, 1),
                     **{k: round(v, 4) for k, v in final.items() if k != "step" and isinstance(v, float)}})
        print(rows[-1], flush=True)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    print("| " + " | ".join(keys) + " |\n|" + " --- |" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |")


if __name__ == "__main__":
    main()

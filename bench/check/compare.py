"""Runs `async-patterns check` and ruff's ASYNC rules over the same projects, in one run.

Writes to --out:
- findings.json: every finding of both tools (project, file, line, rule/code, message);
- summary.md: findings per rule and per project for both, and the run times;
- sample.md: a seeded sample of our bug-finding rules' findings with a line of code
  around each, to be judged by hand (the verdicts live in docs/check-vs-ruff.md).
"""

import argparse
import json
import random
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path

BUG_RULES = {
    "blocking-call",
    "blocking-file-io",
    "unawaited-coroutine",
    "dangling-task",
    "asyncio-run-in-async",
    "swallowed-cancellation",
}
RUFF_SELECT = ["--select", "ASYNC,RUF006", "--preview"]


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def count_lines(files: list[Path]) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in files)


def ours(binary: str, project: Path) -> list[dict]:
    # Every file named explicitly: the same files ruff is given, whatever .gitignore says.
    files = [str(p) for p in python_files(project)]
    out = subprocess.run(
        [binary, "check", "--format", "json", *files],
        capture_output=True, text=True, check=False,
    )
    if out.returncode not in (0, 1, 2):
        raise SystemExit(f"check failed on {project}: {out.stderr[-2000:]}")
    found = []
    for line in out.stdout.splitlines():
        report = json.loads(line)
        for f in report.get("findings", []):
            found.append({
                "file": report["file"], "line": f["line"], "rule": f["rule"],
                "code": f["code"], "severity": f["severity"], "message": f["message"],
                "python": report["python"],
            })
    return found


def ruff(ruff_bin: str, project: Path) -> list[dict]:
    files = [str(p) for p in python_files(project)]
    out = subprocess.run(
        [ruff_bin, "check", "--no-cache", "--output-format", "json", "--exit-zero",
         "--isolated", *RUFF_SELECT, *files],
        capture_output=True, text=True, check=False,
    )
    return [
        {"file": v["filename"], "line": v["location"]["row"], "code": v["code"],
         "message": v["message"]}
        for v in json.loads(out.stdout or "[]")
    ]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def context(path: str, line: int) -> str:
    lines = Path(path).read_text(errors="replace").splitlines()
    lo, hi = max(0, line - 3), min(len(lines), line + 2)
    return "\n".join(f"{i + 1:5} {'>' if i + 1 == line else ' '} {lines[i]}" for i in range(lo, hi))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--ruff", required=True)
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=80)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    projects = sorted(p for p in args.corpus.iterdir() if p.is_dir())

    rows, all_ours, all_ruff = [], [], []
    total_files = total_lines = 0
    for project in projects:
        files = python_files(project)
        lines = count_lines(files)
        total_files += len(files)
        total_lines += lines
        mine = ours(args.binary, project)
        theirs = ruff(args.ruff, project)
        for f in mine:
            f["project"] = project.name
        for f in theirs:
            f["project"] = project.name
        all_ours += mine
        all_ruff += theirs
        rows.append((project.name, len(files), lines, Counter(f["rule"] for f in mine),
                     Counter(f["code"] for f in theirs)))

    # Time both over every file of every project in one invocation each, interleaved.
    every = [str(p) for project in projects for p in python_files(project)]
    ours_cmd = [args.binary, "check", "--format", "json", *every]
    ruff_cmd = [args.ruff, "check", "--no-cache", "--isolated", "--exit-zero", *RUFF_SELECT, *every]
    ours_t, ruff_t = [], []
    for _ in range(args.rounds):
        ours_t.append(timed(ours_cmd))
        ruff_t.append(timed(ruff_cmd))

    (args.out / "findings.json").write_text(json.dumps({"ours": all_ours, "ruff": all_ruff}, indent=1))
    ours_rules = Counter(f["rule"] for f in all_ours)
    ruff_codes = Counter(f["code"] for f in all_ruff)
    md = [f"{len(projects)} projects, {total_files} files, {total_lines} lines.", ""]
    md += ["| rule (ours) | findings |", "| --- | --- |"]
    md += [f"| `{r}` | {n} |" for r, n in sorted(ours_rules.items())]
    md += ["", "| ruff code | findings |", "| --- | --- |"]
    md += [f"| `{c}` | {n} |" for c, n in sorted(ruff_codes.items())]
    md += ["", "| project | files | lines | ours | ruff |", "| --- | --- | --- | --- | --- |"]
    for name, files, lines, mine, theirs in rows:
        md.append(f"| {name} | {files} | {lines} | {sum(mine.values())} | {sum(theirs.values())} |")
    md += ["", f"Run time over all {total_files} files, {args.rounds} interleaved rounds "
           f"(median, min-max): ours {statistics.median(ours_t) * 1000:.0f} ms "
           f"({min(ours_t) * 1000:.0f}-{max(ours_t) * 1000:.0f}), ruff "
           f"{statistics.median(ruff_t) * 1000:.0f} ms "
           f"({min(ruff_t) * 1000:.0f}-{max(ruff_t) * 1000:.0f})."]
    (args.out / "summary.md").write_text("\n".join(md) + "\n")

    bugs = sorted((f for f in all_ours if f["rule"] in BUG_RULES),
                  key=lambda f: (f["file"], f["line"], f["rule"]))
    picked = random.Random(16).sample(bugs, min(args.sample, len(bugs)))
    picked.sort(key=lambda f: (f["rule"], f["file"], f["line"]))
    sample = [f"{len(picked)} of {len(bugs)} bug-finding findings, seed 16.", ""]
    for i, f in enumerate(picked, 1):
        rel = f["file"].split(str(args.corpus) + "/", 1)[-1]
        sample += [f"### {i}. {f['rule']} {rel}:{f['line']}", "", f["message"], "", "```",
                   context(f["file"], f["line"]), "```", ""]
    (args.out / "sample.md").write_text("\n".join(sample))
    print("\n".join(md))


if __name__ == "__main__":
    main()

"""run_demo through the real binary finds every interpreter the checker found, the private
CPython 3.14 included, and the demos that need sockets or subprocesses work inside its
sandbox (no network: streams-and-servers falls back to socket pairs there).

Needs the debug binary (`cargo build`; CI's `cargo test` step builds it first).
"""

import json
import os
import subprocess

import pytest

from skill_files import REPO, pythons, show

BINARY = REPO / "target" / "debug" / "async-patterns"


def run_demo(demo_id: str, version: str) -> dict:
    # run.sh put the private 3.14 on PATH for the checker; take it off again, so the
    # binary has to find it in the cache as a user's run_demo would.
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if "async-patterns/python3." not in d]
    out = subprocess.run(
        [str(BINARY), "run", demo_id, "--python", version, "--json"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd=str(REPO),
        env={**os.environ, "PATH": os.pathsep.join(path)},
    )
    assert out.stdout.strip(), f"no JSON from run_demo (exit {out.returncode}): {out.stderr[-2000:]}"
    return json.loads(out.stdout)


def cases():
    return [pytest.param(v, p, id=show(v)) for v, p in pythons().items()]


@pytest.mark.skipif(not BINARY.exists(), reason="build the binary first (cargo build)")
@pytest.mark.parametrize("version,path", cases())
def test_run_demo_finds_the_interpreter_and_the_sandbox_runs_socket_and_process_demos(version, path):
    wanted = show(version)
    for demo_id in ("gather", "streams-and-servers", "subprocesses"):
        result = run_demo(demo_id, wanted)
        interpreter = result["interpreter"]
        assert interpreter["version"].startswith(wanted + "."), interpreter
        assert os.path.realpath(interpreter["path"]) == os.path.realpath(path), (interpreter, path)
        assert result["exit_code"] == 0, result["stderr"][-2000:]
        summary = result["summary"]
        assert summary["ok"] is True, summary
        if demo_id == "streams-and-servers" and result["isolation"]["network_isolated"]:
            assert summary["transport"].startswith("socketpair"), summary

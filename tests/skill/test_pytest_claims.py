"""What testing.md and forgotten-await.md say about pytest, run with real pytest and
pytest-asyncio (the versions in requirements.txt).

The configuration under test is the ```toml block of references/testing.md itself, so the
reference cannot drift from what was checked. pytest 8.3/8.4 with pytest-asyncio 0.24 were
checked by hand when these claims were written (docs/skill-format.md, "Changes in 2026").
"""

import os
import re
import subprocess
import sys

from skill_files import entries, fenced_blocks, snippets

FORGOTTEN_AWAIT = '''
import asyncio


async def save():
    await asyncio.sleep(0)


async def test_forgets_the_await():
    save()


async def test_awaits():
    await save()
'''

NO_MARKER = '''
async def test_never_runs_its_body():
    assert False, "the body ran"
'''


def documented_config() -> str:
    doc = entries()["testing"].doc
    tomls = [b.code for b in fenced_blocks(doc) if b.info.split()[:1] == ["toml"]]
    assert len(tomls) == 1, f"testing.md has {len(tomls)} ```toml blocks, expected one"
    return tomls[0]


def pytest_in(tmp_path, config: str, tests: str):
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "test_case.py").write_text(tests, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "asyncio"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
        stdin=subprocess.DEVNULL,
    )
    return out.returncode, out.stdout + out.stderr


def counts(output: str) -> dict:
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|error)", output)}


def test_documented_config_fails_a_test_that_forgets_an_await(tmp_path):
    code, output = pytest_in(tmp_path, documented_config(), FORGOTTEN_AWAIT)
    assert code == 1, output
    assert counts(output) == {"failed": 1, "passed": 1}, output
    assert "never awaited" in output, output


def test_error_RuntimeWarning_alone_lets_the_forgotten_await_pass(tmp_path):
    config = documented_config().replace(
        '"error::pytest.PytestUnraisableExceptionWarning",', ""
    )
    assert "PytestUnraisable" not in config
    code, output = pytest_in(tmp_path, config, FORGOTTEN_AWAIT)
    assert code == 0 and counts(output).get("passed") == 2, output


def test_strict_mode_fails_an_unmarked_async_test(tmp_path):
    config = documented_config().replace('asyncio_mode = "auto"', 'asyncio_mode = "strict"')
    assert "strict" in config
    code, output = pytest_in(tmp_path, config, NO_MARKER)
    # pytest >= 8.4: failed ("async def functions are not natively supported"); the body
    # never ran, so the assertion message is absent.
    assert code == 1 and counts(output) == {"failed": 1}, output
    assert "not natively supported" in output and "the body ran" not in output, output


def test_the_pytest_fragment_passes_under_the_documented_config(tmp_path):
    (fragment,) = [s for s in snippets() if s.sid == "testing-pytest"]
    code, output = pytest_in(tmp_path, documented_config(), fragment.code)
    assert code == 0 and counts(output) == {"passed": 2}, output


def test_unset_fixture_loop_scope_aborts_a_run_that_turns_warnings_into_errors(tmp_path):
    config = '[tool.pytest.ini_options]\nasyncio_mode = "auto"\nfilterwarnings = ["error"]\n'
    code, output = pytest_in(tmp_path, config, FORGOTTEN_AWAIT)
    assert code == 3 and "INTERNALERROR" in output, output  # 3: pytest's internal error
    assert "asyncio_default_fixture_loop_scope" in output, output
    config += 'asyncio_default_fixture_loop_scope = "function"\n'
    code, output = pytest_in(tmp_path, config, FORGOTTEN_AWAIT)
    assert code == 1 and counts(output) == {"failed": 1, "passed": 1}, output

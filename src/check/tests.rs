//! The rules, one behaviour per test, on small programs written for the purpose.

use super::*;

fn rules_of(code: &str) -> Vec<(String, usize)> {
    check(code, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .findings
        .into_iter()
        .map(|f| (f.rule, f.line))
        .collect()
}

fn only(rule: &str, line: usize) -> Vec<(String, usize)> {
    vec![(rule.to_string(), line)]
}

#[test]
fn every_rule_points_at_an_entry_of_the_embedded_catalogue() {
    let catalog = crate::catalog::Catalog::embedded().unwrap();
    for rule in Rule::ALL {
        assert!(
            catalog.entry(rule.default_pattern()).is_some(),
            "{} -> {}",
            rule.id(),
            rule.default_pattern()
        );
    }
    // Patterns chosen per call (blocking calls) must exist too.
    let code = "import subprocess, socket, urllib.request, requests, time\n\
        async def f(p):\n    time.sleep(1)\n    requests.get(p)\n    subprocess.run(p)\n    \
        urllib.request.urlopen(p)\n    socket.getaddrinfo(p, 80)\n    open(p).read()\n";
    let report = check(code, None).unwrap();
    assert_eq!(report.findings.len(), 6);
    for finding in report.findings {
        assert!(catalog.entry(&finding.pattern).is_some(), "{finding:?}");
    }
}

#[test]
fn blocking_sleep_in_a_coroutine_is_found_with_its_position() {
    let report = check("import time\n\nasync def f():\n    time.sleep(1)\n", None).unwrap();
    let f = &report.findings[0];
    assert_eq!((f.rule.as_str(), f.line, f.column), ("blocking-call", 4, 5));
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.pattern, "blocking-the-loop");
}

#[test]
fn columns_count_characters_not_bytes() {
    let report = check(
        "import time\nasync def f():\n    s = 'é'; time.sleep(1)\n",
        None,
    )
    .unwrap();
    assert_eq!(report.findings[0].column, 14);
}

#[test]
fn imports_are_resolved_through_aliases() {
    let code = "from time import sleep as nap\nimport asyncio as aio\n\
        async def f():\n    nap(1)\n    aio.run(f())\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("blocking-call".into(), 4),
            ("asyncio-run-in-async".into(), 5)
        ]
    );
}

#[test]
fn blocking_call_through_a_plain_helper_is_found_at_the_call() {
    let code = "import time, asyncio\ndef helper():\n    time.sleep(1)\n\
        async def f():\n    helper()\n    await asyncio.to_thread(helper)\n";
    let report = check(code, None).unwrap();
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
    assert_eq!(
        (report.findings[0].line, report.findings[0].pattern.as_str()),
        (5, "to-thread")
    );
    assert!(report.findings[0].message.contains("line 3"));
}

#[test]
fn blocking_calls_in_sync_code_and_nested_defs_are_not_reported() {
    let code = "import time, asyncio\ndef plain():\n    time.sleep(1)\n\
        async def outer():\n    def inner():\n        time.sleep(1)\n    \
        f = lambda: time.sleep(1)\n    class C:\n        time.sleep(1)\n    \
        await asyncio.to_thread(inner)\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn strings_and_comments_never_match() {
    let code = "async def f():\n    # time.sleep(1)\n    x = 'time.sleep(1)'\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn dropped_coroutine_of_this_file_or_asyncio_is_found() {
    let code = "import asyncio\nasync def save(x): ...\n\
        async def main():\n    save(1)\n    asyncio.sleep(1)\n    await save(2)\n    \
        t = asyncio.create_task(save(3))\n    await t\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("unawaited-coroutine".into(), 4),
            ("unawaited-coroutine".into(), 5)
        ]
    );
}

#[test]
fn async_method_called_on_self_without_await_is_found() {
    let code = "class Repo:\n    async def save(self): ...\n    def sync(self): ...\n    \
        async def run(self):\n        self.save()\n        self.sync()\n";
    assert_eq!(rules_of(code), only("unawaited-coroutine", 5));
}

#[test]
fn coroutine_kept_in_a_variable_that_is_only_inspected_is_found() {
    let code = "async def save(x): ...\nasync def main():\n    r = save(1)\n    \
        print(type(r), bool(r))\n    del r\n";
    assert_eq!(rules_of(code), only("unawaited-coroutine", 3));
}

#[test]
fn coroutine_kept_in_a_variable_and_passed_on_is_fine() {
    let code = "import asyncio\nasync def save(x): ...\nasync def main():\n    \
        a = save(1)\n    await a\n    b = save(2)\n    await asyncio.gather(b)\n    \
        c = save(3)\n    return c\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn name_defined_both_sync_and_async_is_not_guessed() {
    let code = "async def save(): ...\ndef save(): ...\ndef main():\n    save()\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn dropped_task_is_found_but_taskgroup_tasks_are_owned() {
    let code = "import asyncio\nasync def w(): ...\nasync def main():\n    \
        asyncio.create_task(w())\n    loop = asyncio.get_running_loop()\n    \
        loop.create_task(w())\n    async with asyncio.TaskGroup() as tg:\n        \
        tg.create_task(w())\n";
    assert_eq!(
        rules_of(code),
        vec![("dangling-task".into(), 4), ("dangling-task".into(), 6)]
    );
}

#[test]
fn asyncio_run_through_a_sync_wrapper_is_found_at_the_call() {
    let code = "import asyncio\nasync def f(): ...\ndef wrapper():\n    \
        return asyncio.run(f())\nasync def handler():\n    wrapper()\n\
        def main():\n    wrapper()\n";
    let report = check(code, None).unwrap();
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].line, 6);
    assert!(report.findings[0].message.contains("line 4"));
}

#[test]
fn swallowed_cancellation_needs_an_await_and_no_reraise() {
    let code = "import asyncio\nasync def f():\n    try:\n        await asyncio.sleep(1)\n    \
        except BaseException:\n        pass\n    try:\n        await asyncio.sleep(1)\n    \
        except asyncio.CancelledError:\n        raise\n    try:\n        x = 1\n    \
        except:\n        pass\n    try:\n        await asyncio.sleep(1)\n    \
        except (ValueError, asyncio.CancelledError):\n        pass\n    try:\n        \
        await asyncio.sleep(1)\n    except Exception:\n        pass\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("swallowed-cancellation".into(), 5),
            ("swallowed-cancellation".into(), 17)
        ]
    );
}

#[test]
fn awaiting_a_task_you_cancelled_may_catch_cancelled_error() {
    let code = "import asyncio\nasync def main(task):\n    task.cancel()\n    try:\n        \
        await task\n    except asyncio.CancelledError:\n        print('cancelled')\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn get_event_loop_only_in_async_code() {
    let code = "import asyncio\nloop = asyncio.get_event_loop()\nasync def f():\n    \
        loop = asyncio.get_event_loop()\n";
    assert_eq!(rules_of(code), only("get-event-loop-in-async", 4));
}

#[test]
fn wait_for_is_info_only_where_asyncio_timeout_exists() {
    let code = "import asyncio\nasync def f(c):\n    return await asyncio.wait_for(c, 1)\n";
    let new = check(code, Some(PyVersion::new(3, 11))).unwrap();
    assert_eq!(new.findings[0].rule, "wait-for-timeout");
    assert_eq!(new.findings[0].severity, Severity::Info);
    assert_eq!(new.python, "3.11");
    assert!(check(code, Some(PyVersion::new(3, 10)))
        .unwrap()
        .findings
        .is_empty());
}

#[test]
fn syntax_error_reports_the_first_broken_place() {
    let err = check("async def f():\n    x = (1,\n\ny = 2\n", None).unwrap_err();
    let CheckError::Syntax { line, column, .. } = err else {
        panic!("{err:?}");
    };
    assert!(line >= 2, "line {line}");
    assert!(column >= 1);
    assert!(matches!(
        check("def f(:\n", None),
        Err(CheckError::Syntax { line: 1, .. })
    ));
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let code = "x = 1\n".repeat(MAX_SOURCE_BYTES / 6 + 1);
    assert!(matches!(
        check(&code, None),
        Err(CheckError::TooLarge { .. })
    ));
}

#[test]
fn findings_are_capped() {
    let mut code = String::from("import time\nasync def f():\n");
    for _ in 0..(MAX_FINDINGS + 10) {
        code.push_str("    time.sleep(0)\n");
    }
    let report = check(&code, None).unwrap();
    assert_eq!(report.findings.len(), MAX_FINDINGS);
    assert!(report.truncated);
}

#[test]
fn deep_nesting_is_not_a_crash() {
    let depth = 100_000;
    let code = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    let _ = check(&code, None);
    let chain = format!("async def f():\n    a{}()\n", ".b".repeat(depth));
    let _ = check(&chain, None);
}

/// Inputs near the size limit whose every statement triggers a per-scope look-up: a
/// quadratic rule would take minutes here.
#[test]
fn rules_stay_linear_on_wide_inputs() {
    let body = |unit: &str| {
        let mut code = String::from("import asyncio\nasync def save(): ...\nasync def f(t):\n");
        while code.len() + unit.len() < MAX_SOURCE_BYTES {
            code.push_str(unit);
        }
        code
    };
    let cases = [
        body("    try:\n        await t\n    except BaseException:\n        pass\n"),
        body("    x = save()\n    print(x)\n"),
        body("    self.save()\n"),
        body("    def g(): ...\n"),
    ];
    for code in cases {
        let started = std::time::Instant::now();
        let report = check(&code, None).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{:?} for {} findings",
            started.elapsed(),
            report.findings.len()
        );
    }
}

// Shapes from real projects (issue #16): each was a false positive or a miss.

#[test]
fn a_parameter_shadowing_a_module_function_is_not_that_function() {
    let code = "import time, asyncio\ndef fetch():\n    time.sleep(1)\n\
        def run_app():\n    asyncio.run(main())\nasync def main(): ...\n\
        async def handler(fetch, run_app, main):\n    fetch()\n    run_app()\n    main()\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn a_parameter_shadowing_an_import_is_not_the_import() {
    let code = "import time\nasync def f(time):\n    time.sleep(1)\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn an_import_inside_a_function_binds_only_there() {
    let code = "async def f():\n    import time\n    time.sleep(1)\n\
        async def g(time):\n    time.sleep(1)\n";
    assert_eq!(rules_of(code), only("blocking-call", 3));
}

#[test]
fn calling_a_generator_does_not_run_its_body() {
    let code = "import time\ndef ticks():\n    time.sleep(1)\n    yield 1\n\
        async def f():\n    for t in ticks():\n        print(t)\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn an_async_generator_is_not_an_unawaited_coroutine() {
    let code = "async def rows():\n    yield 1\nasync def f():\n    it = rows()\n    rows()\n";
    assert_eq!(rules_of(code), vec![]);
}

#[test]
fn an_unknown_decorator_makes_the_function_unknown_not_wrong() {
    let code = "import asyncio\ndef sync(f):\n    return lambda: asyncio.run(f())\n\
        @sync\nasync def main(): ...\nmain()\n\
        class A:\n    @staticmethod\n    async def m(): ...\n    async def g(self):\n        self.m()\n";
    assert_eq!(rules_of(code), only("unawaited-coroutine", 11));
}

#[test]
fn the_canceller_may_wait_for_the_task_it_cancelled() {
    let code = "import asyncio\nasync def stop(task):\n    task.cancel()\n    try:\n        \
        await asyncio.wait_for(task, 1)\n    except asyncio.CancelledError:\n        pass\n";
    assert_eq!(rules_of(code), only("wait-for-timeout", 5));
}

#[test]
fn another_await_in_the_cancellers_try_is_still_swallowed() {
    let code =
        "import asyncio\nasync def stop(task, other):\n    task.cancel()\n    try:\n        \
        await task\n        await other()\n    except asyncio.CancelledError:\n        pass\n";
    assert_eq!(rules_of(code), only("swallowed-cancellation", 7));
}

#[test]
fn handlers_that_bind_a_name_are_judged_too() {
    let code = "import asyncio\nasync def f(x):\n    try:\n        await x\n    \
        except asyncio.CancelledError as e:\n        pass\n    try:\n        await x\n    \
        except BaseException as exc:\n        print(exc)\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("swallowed-cancellation".into(), 5),
            ("swallowed-cancellation".into(), 9)
        ]
    );
}

#[test]
fn trio_code_is_left_to_trio_rules() {
    let code = "import trio\nasync def f():\n    try:\n        await trio.sleep(1)\n    \
        except BaseException:\n        pass\n";
    assert_eq!(rules_of(code), vec![]);
    let same_in_asyncio = code.replace("trio", "asyncio");
    assert_eq!(
        rules_of(&same_in_asyncio),
        only("swallowed-cancellation", 5)
    );
}

#[test]
fn wait_for_without_a_timeout_gets_no_timeout_advice() {
    let code = "import asyncio\nasync def f(c):\n    await asyncio.wait_for(c, None)\n    \
        await asyncio.wait_for(c, timeout=None)\n    await asyncio.wait_for(c)\n    \
        await asyncio.wait_for(c, timeout=5)\n";
    assert_eq!(rules_of(code), only("wait-for-timeout", 6));
}

#[test]
fn sync_http_sessions_block_however_they_are_held() {
    let code = "import requests\nasync def f(u):\n    requests.Session().get(u)\n    \
        s = requests.Session()\n    s.post(u)\n    with requests.Session() as c:\n        \
        c.get(u)\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("blocking-call".into(), 3),
            ("blocking-call".into(), 5),
            ("blocking-call".into(), 7)
        ]
    );
}

#[test]
fn file_io_in_a_coroutine_is_blocking_file_io() {
    let code = "from pathlib import Path\nasync def f(p):\n    with open(p) as fh:\n        \
        fh.read()\n    Path(p).read_text()\n    q = Path(p)\n    q.write_text('x')\n\
        def g(p):\n    return open(p).read()\n";
    assert_eq!(
        rules_of(code),
        vec![
            ("blocking-file-io".into(), 3),
            ("blocking-file-io".into(), 5),
            ("blocking-file-io".into(), 7)
        ]
    );
}

#[test]
fn a_task_kept_only_in_an_unused_local_is_dangling() {
    let code = "import asyncio\nasync def job(): ...\nasync def f():\n    \
        t = asyncio.create_task(job())\n    kept = asyncio.create_task(job())\n    \
        await kept\n";
    assert_eq!(rules_of(code), only("dangling-task", 4));
}

#[test]
fn get_event_loop_in_a_coroutine_is_information_only() {
    let code = "import asyncio\nasync def f():\n    asyncio.get_event_loop()\n";
    let report = check(code, None).unwrap();
    assert_eq!(report.findings[0].severity, Severity::Info);
}

#[test]
fn noqa_silences_by_code_rule_id_or_ruff_code() {
    let code = "import time\nasync def f():\n    time.sleep(1)  # noqa\n    \
        time.sleep(1)  # noqa: AP001\n    time.sleep(1)  # noqa: ASYNC251\n    \
        time.sleep(1)  # noqa: blocking-call\n    time.sleep(1)  # noqa: AP002\n";
    assert_eq!(rules_of(code), only("blocking-call", 7));
    let all = super::check_with(
        code,
        super::Options {
            python: None,
            ignore_noqa: true,
        },
    )
    .unwrap();
    assert_eq!(all.findings.len(), 5);
    assert_eq!(all.findings[0].code, "AP001");
}

#[test]
fn unknown_target_versions_are_refused() {
    for raw in ["3.99", "3.16", "3.7", "2.7", "4.0"] {
        assert!(
            matches!(super::parse_target(raw), Err(CheckError::UnknownPython(_))),
            "{raw}"
        );
    }
    assert_eq!(super::parse_target("3.10").unwrap(), PyVersion::new(3, 10));
    // 3.15 was released in October 2026: a project may target it.
    assert_eq!(super::parse_target("3.15").unwrap(), PyVersion::new(3, 15));
    assert!(check("x = 1\n", Some(PyVersion::new(3, 99))).is_err());
}

#[test]
fn python2_code_is_a_syntax_error_not_clean() {
    for code in [
        "print 'hello'\n",
        "import sys\nprint >>sys.stderr, 'x'\n",
        "def f():\n    exec code in ns\n",
        "def f(out):\n    print >>out\n",
    ] {
        let err = check(code, None).unwrap_err();
        assert!(err.to_string().contains("Python 2"), "{err} for {code:?}");
    }
    assert!(check("print(x)\nprint\nx = print >> 2\n", None).is_ok());
}

#[test]
fn pep_696_type_parameter_defaults_parse() {
    let code = "import time\nclass Box[T = int]:\n    pass\n\
        def first[U = str, *Ts = *tuple[int, ...]](x: U) -> U:\n    return x\n\
        async def f():\n    time.sleep(1)\n";
    assert_eq!(rules_of(code), only("blocking-call", 7));
}

#[test]
fn too_deep_indentation_is_reported_where_cpython_reports_it() {
    let mut code = String::new();
    for level in 0..150 {
        code.push_str(&" ".repeat(level));
        code.push_str("if x:\n");
    }
    code.push_str(&" ".repeat(150));
    code.push_str("pass\n");
    match check(&code, None) {
        Err(CheckError::Syntax { line, .. }) => assert_eq!(line, 101),
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_long_line_of_many_findings_stays_linear() {
    let mut code = String::from("import time\nasync def f():\n    ");
    for _ in 0..50_000 {
        code.push_str("time.sleep(0); ");
    }
    code.push('\n');
    let started = std::time::Instant::now();
    let report = check(&code, None).unwrap();
    assert!(report.truncated);
    assert_eq!(report.findings.len(), MAX_FINDINGS);
    // A quadratic column count took over a second here; linear is a few milliseconds
    // in a release build. The bound only catches a return of the quadratic shape.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_handler_that_hands_the_exception_on_or_always_raises_is_not_swallowing() {
    let code = "import asyncio, pytest\nasync def bridge(aw, fut, errors):\n    try:\n        \
        await aw\n    except BaseException as e:\n        fut.set_exception(e)\n    try:\n        \
        await aw\n    except asyncio.CancelledError as exc:\n        errors.append(exc)\n    \
        try:\n        await aw\n    except asyncio.CancelledError:\n        \
        pytest.fail('not cancelled')\n    try:\n        await aw\n    \
        except BaseException as exc:\n        log.error('failed', exc_info=exc)\n";
    assert_eq!(rules_of(code), only("swallowed-cancellation", 17));
}

/// The deepest input the depth scan lets through must parse, be checked and be dropped
/// on a test thread's 2 MiB stack in a debug build (release frames are smaller): every
/// recursive pass over the tree relies on this bound.
#[test]
fn deepest_accepted_nesting_fits_a_test_thread() {
    let limit = super::depth::MAX_EXPRESSION_DEPTH - 1;
    let shapes = [
        format!(
            "import time\nasync def f():\n    x = {}1\n",
            "-".repeat(limit)
        ),
        format!(
            "import time\nasync def f():\n    x = {}1\n",
            "not ".repeat(limit)
        ),
        format!(
            "import time\nasync def f():\n    time.sleep{}\n",
            "(1)".repeat(limit - 1)
        ),
        format!(
            "import time\nasync def f():\n    x = a{}\n",
            ".b".repeat(limit)
        ),
        format!("async def f():\n    x = {}1\n", "lambda: ".repeat(limit)),
        format!(
            "async def f():\n    x = {}2\n",
            "1 if c else ".repeat(limit / 2)
        ),
        format!("x = {}1{}\n", "(-".repeat(199), ")".repeat(199)),
        // Both bounds at once: the deepest expression in the deepest block.
        (0..99).fold(String::new(), |code, level| {
            code + &" ".repeat(level) + "if x:\n"
        }) + &" ".repeat(99)
            + "x = "
            + &"-".repeat(limit)
            + "1\n",
    ];
    for code in shapes {
        let outcome = check(&code, None);
        assert!(outcome.is_ok(), "{:?} for {}", outcome.err(), &code[..40]);
    }
}

#[test]
fn nesting_past_the_bound_is_a_syntax_error_where_it_crosses() {
    let syntax_error = |code: &str| match check(code, None) {
        Err(CheckError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("{other:?}"),
    };
    let (line, column, message) =
        syntax_error(&format!("import time\nx = 1\ny = a{}\n", ".b".repeat(5000)));
    assert_eq!(line, 3);
    assert!(column > 900 && column < 2100, "{column}");
    assert!(message.contains("nested too deeply"), "{message}");
    let (line, column, message) =
        syntax_error(&format!("y = {}1{}\n", "[".repeat(520), "]".repeat(520)));
    assert_eq!((line, column), (1, 205));
    assert!(message.contains("parentheses"), "{message}");
}

/// Byte soup from a Python-flavoured alphabet (brackets, quotes, f-string braces,
/// operators, keywords, non-ASCII, line ends): every input gets a report or a syntax
/// error, never a panic or an overflow. Seeded, so a failure replays.
#[test]
fn random_python_shaped_input_never_panics() {
    const PIECES: &[&str] = &[
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "'",
        "\"",
        "'''",
        "f'",
        "f\"",
        "rb'",
        "\\",
        "#",
        "\n",
        "\r\n",
        "    ",
        "\t",
        ".",
        "-",
        "not ",
        "lambda ",
        ":",
        ",",
        "=",
        "await ",
        "async def f",
        "def g",
        "(x)",
        "é",
        "🦀",
        "time.sleep(1)",
        "asyncio.run(g())",
        "import time\n",
        "try:\n",
        "except BaseException:\n",
        "1",
        "0x1e-",
        "{x!r:>{w}}",
        "print 'x'\n",
        "yield ",
        " if ",
        " else ",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let length = next() % 400;
        let code: String = (0..length)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        match check(&code, None) {
            Ok(_) | Err(CheckError::Syntax { .. }) => {}
            Err(other) => panic!("{other:?} for {code:?}"),
        }
    }
}

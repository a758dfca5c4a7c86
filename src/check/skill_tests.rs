//! The checker against the skill's own code, enumerated from the embedded catalogue so
//! the two can never drift: every ruled pitfall's Symptom is found by the right rule,
//! every fix and pattern snippet is clean, and every demo is clean except where it shows
//! the broken variant on purpose (listed here, with the finding it must produce).

use crate::catalog::{Catalog, Category, Snippet};
use std::collections::BTreeSet;

/// Symptom snippet id -> the rule that must find it.
const SYMPTOMS_FOUND: &[(&str, &str)] = &[
    ("blocking-the-loop-symptom", "blocking-call"),
    ("dangling-tasks-symptom", "dangling-task"),
    ("forgotten-await-symptom", "unawaited-coroutine"),
    ("nested-asyncio-run-symptom", "asyncio-run-in-async"),
    ("swallowed-cancellation-symptom", "swallowed-cancellation"),
];

/// Symptom snippets no rule claims to find, and why.
const SYMPTOMS_NOT_COVERED: &[(&str, &str)] = &[(
    "gather-no-cancel-symptom",
    "gather's siblings running on after a failure is a matter of what the program expects \
     after the except; nothing in the syntax is wrong",
)];

/// Demos that run the broken variant on purpose -> the (rule, line) findings they must get.
const DEMOS_BROKEN_ON_PURPOSE: &[(&str, &[(&str, usize)])] = &[
    ("scripts/blocking-the-loop.py", &[("blocking-call", 45)]),
    ("scripts/forgotten-await.py", &[("unawaited-coroutine", 30)]),
    (
        "scripts/nested-asyncio-run.py",
        &[("asyncio-run-in-async", 27)],
    ),
    (
        "scripts/swallowed-cancellation.py",
        &[("swallowed-cancellation", 23)],
    ),
    // Runs the blocking calls on the loop first, to time the difference.
    ("scripts/to-thread.py", &[("blocking-call", 29)]),
    // Times a health check behind an `async def` endpoint that blocks, then behind a `def` one.
    ("scripts/web-endpoints.py", &[("blocking-call", 32)]),
];
// Not listed because no rule reaches their broken variant (they are clean to us):
// dangling-tasks.py drops the task with `del task` after `weakref.ref(task)`, and
// gather-no-cancel.py's symptom is not syntactic (see SYMPTOMS_NOT_COVERED).

fn catalog() -> Catalog {
    Catalog::embedded().expect("the embedded skill loads")
}

fn is_symptom(catalog: &Catalog, snippet: &Snippet) -> bool {
    let pitfall = catalog
        .entry(&snippet.entry)
        .is_some_and(|e| e.category == Category::Pitfall);
    pitfall && snippet.section.as_deref() == Some("Symptom")
}

/// The skill's snippets carry ruff's `# noqa` codes so that ruff stays quiet over the
/// skill; measure what the rules find regardless, as `ruff --ignore-noqa` would.
fn findings(code: &str, python: crate::catalog::PyVersion) -> Vec<(String, usize, String)> {
    let options = super::Options {
        python: Some(python),
        ignore_noqa: true,
    };
    super::check_with(code, options)
        .unwrap_or_else(|e| panic!("{e}"))
        .findings
        .into_iter()
        .map(|f| (f.rule, f.line, f.pattern))
        .collect()
}

#[test]
fn every_pitfall_symptom_is_found_by_its_rule_or_listed_as_not_covered() {
    let catalog = catalog();
    let mut seen = BTreeSet::new();
    for snippet in catalog.all_snippets() {
        if !is_symptom(&catalog, snippet) {
            continue;
        }
        seen.insert(snippet.id.as_str());
        let found = findings(&snippet.code, snippet.min_python);
        if let Some((_, reason)) = SYMPTOMS_NOT_COVERED
            .iter()
            .find(|(id, _)| *id == snippet.id)
        {
            assert!(found.is_empty(), "{} ({reason}): {found:?}", snippet.id);
            continue;
        }
        let Some((_, rule)) = SYMPTOMS_FOUND.iter().find(|(id, _)| *id == snippet.id) else {
            panic!(
                "new Symptom snippet `{}`: add it to SYMPTOMS_FOUND or SYMPTOMS_NOT_COVERED",
                snippet.id
            );
        };
        assert!(
            found
                .iter()
                .any(|(r, _, pattern)| r == rule && *pattern == snippet.entry),
            "`{}` should be found by {rule} pointing at `{}`: {found:?}",
            snippet.id,
            snippet.entry
        );
        assert!(
            found.iter().all(|(r, _, _)| r == rule),
            "`{}` has other findings too: {found:?}",
            snippet.id
        );
    }
    let listed: BTreeSet<&str> = SYMPTOMS_FOUND
        .iter()
        .chain(SYMPTOMS_NOT_COVERED)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        seen, listed,
        "the lists name snippets that are not Symptoms"
    );
}

#[test]
fn every_code_and_fix_snippet_is_clean_on_its_own_python() {
    let catalog = catalog();
    let mut checked = 0;
    for snippet in catalog.all_snippets() {
        if is_symptom(&catalog, snippet) {
            continue;
        }
        let found = findings(&snippet.code, snippet.min_python);
        assert!(
            found.is_empty(),
            "{} (Python {}): {found:?}",
            snippet.id,
            snippet.min_python
        );
        checked += 1;
    }
    assert!(checked > 30, "only {checked} snippets checked");
}

#[test]
fn every_demo_is_clean_except_the_broken_variants_it_shows_on_purpose() {
    let catalog = catalog();
    let mut broken_seen = BTreeSet::new();
    for entry in &catalog.entries {
        let Some(demo) = &entry.demo else {
            continue;
        };
        let text = catalog
            .file(&demo.script)
            .and_then(|f| f.text())
            .expect("demo script is text");
        let found: Vec<(String, usize)> = findings(text, entry.min_python)
            .into_iter()
            .map(|(rule, line, _)| (rule, line))
            .collect();
        let expected: Vec<(String, usize)> = DEMOS_BROKEN_ON_PURPOSE
            .iter()
            .find(|(script, _)| *script == demo.script)
            .map(|(script, list)| {
                broken_seen.insert(*script);
                list.iter().map(|(r, l)| (r.to_string(), *l)).collect()
            })
            .unwrap_or_default();
        assert_eq!(found, expected, "{}", demo.script);
    }
    assert_eq!(broken_seen.len(), DEMOS_BROKEN_ON_PURPOSE.len());
}

#[test]
fn the_skills_helper_modules_are_clean_on_every_python_it_supports() {
    // `scripts/_*.py` run inside every demo (the timeline recorder), so they hold to the
    // demos' standard, on the oldest Python any demo needs.
    let catalog = catalog();
    let oldest = catalog
        .entries
        .iter()
        .map(|e| e.min_python)
        .min()
        .expect("the skill has entries");
    let mut checked = 0;
    for helper in catalog.helper_modules() {
        let text = helper.text().expect("a helper module is text");
        let found = findings(text, oldest);
        assert!(found.is_empty(), "{}: {found:?}", helper.path);
        checked += 1;
    }
    assert!(
        checked >= 1,
        "the skill has no helper module (scripts/_timeline.py)"
    );
}

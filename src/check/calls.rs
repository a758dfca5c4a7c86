//! What we know about standard-library (and a few very common third-party) calls:
//! which ones block, which return coroutines, which start an event loop.

use super::finding::Rule;
use super::scope::Target;

/// Standard-library coroutine functions: calling one without `await` does nothing.
pub const KNOWN_COROUTINE_FUNCTIONS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait_for",
    "asyncio.wait",
    "asyncio.to_thread",
    "asyncio.open_connection",
    "asyncio.start_server",
    "asyncio.open_unix_connection",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
];

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// Calls that start an event loop and therefore fail inside a running one:
/// `asyncio.run`, and `run_until_complete` on whatever holds a loop.
pub fn starts_event_loop(target: &Target) -> bool {
    target.qualified() == Some("asyncio.run")
        || target
            .spelling()
            .is_some_and(|s| s.ends_with(".run_until_complete"))
}

/// Advice for a blocking call: the rule it breaks, the catalogue entry whose fix fits,
/// and what to do.
pub struct Advice {
    pub rule: Rule,
    pub pattern: &'static str,
    pub message: String,
}

fn advice(rule: Rule, pattern: &'static str, message: String) -> Option<Advice> {
    Some(Advice {
        rule,
        pattern,
        message,
    })
}

/// Blocking calls we know, by their resolved dotted name.
pub fn blocking_advice(name: &str) -> Option<Advice> {
    if matches!(name, "open" | "io.open") {
        return advice(
            Rule::BlockingFileIo,
            "to-thread",
            format!(
                "`{name}()` and the reads and writes on its file block the event loop's \
                 thread (a slow or network disk stalls every task): do the file work in \
                 `await asyncio.to_thread(...)`, or use an async file library"
            ),
        );
    }
    let (module, function) = name.rsplit_once('.')?;
    match (module, function) {
        ("time", "sleep") => advice(
            Rule::BlockingCall,
            "blocking-the-loop",
            "`time.sleep()` blocks the event loop and every other task waits: \
             use `await asyncio.sleep(...)`"
                .to_string(),
        ),
        ("requests" | "httpx", verb) if HTTP_VERBS.contains(&verb) => advice(
            Rule::BlockingCall,
            "blocking-the-loop",
            format!(
                "`{name}()` is a blocking HTTP call that stalls the event loop: use an \
                 async client (aiohttp, httpx.AsyncClient) or `await asyncio.to_thread(...)`"
            ),
        ),
        (
            "requests.Session" | "requests.session" | "requests.sessions.Session"
            | "httpx.Client",
            verb,
        ) if HTTP_VERBS.contains(&verb) => advice(
            Rule::BlockingCall,
            "blocking-the-loop",
            format!(
                "`{verb}()` on a synchronous `{module}` waits for the network on the event \
                 loop's thread: use an async client (aiohttp, httpx.AsyncClient) or \
                 `await asyncio.to_thread(...)`"
            ),
        ),
        ("urllib3.PoolManager", "request" | "urlopen") => advice(
            Rule::BlockingCall,
            "blocking-the-loop",
            format!(
                "`{function}()` on a `urllib3.PoolManager` is a blocking HTTP call: use an \
                 async client or `await asyncio.to_thread(...)`"
            ),
        ),
        ("subprocess", "run" | "call" | "check_call" | "check_output") | ("os", "system") => {
            advice(
                Rule::BlockingCall,
                "to-thread",
                format!(
                    "`{name}()` waits for the child process on the event loop's thread: use \
                     `await asyncio.create_subprocess_exec(...)` or `await asyncio.to_thread({name}, ...)`"
                ),
            )
        }
        ("urllib.request", "urlopen") => advice(
            Rule::BlockingCall,
            "to-thread",
            "`urllib.request.urlopen()` blocks the event loop: use an async HTTP client \
             or `await asyncio.to_thread(urllib.request.urlopen, ...)`"
                .to_string(),
        ),
        (
            "socket",
            "create_connection" | "getaddrinfo" | "gethostbyname" | "gethostbyname_ex"
            | "gethostbyaddr" | "getfqdn",
        ) => advice(
            Rule::BlockingCall,
            "to-thread",
            format!(
                "`{name}()` blocks on the network: use `await asyncio.open_connection(...)` \
                 or `await loop.getaddrinfo(...)`, or run it with `asyncio.to_thread`"
            ),
        ),
        (
            "pathlib.Path" | "pathlib.PurePath",
            "read_text" | "read_bytes" | "write_text" | "write_bytes" | "open",
        ) => advice(
            Rule::BlockingFileIo,
            "to-thread",
            format!(
                "`Path.{function}()` reads or writes the file on the event loop's thread: \
                 `await asyncio.to_thread(path.{function}, ...)`"
            ),
        ),
        ("shutil", "copy" | "copy2" | "copyfile" | "copytree" | "move" | "rmtree") => advice(
            Rule::BlockingFileIo,
            "to-thread",
            format!(
                "`{name}()` copies or deletes files on the event loop's thread: \
                 `await asyncio.to_thread({name}, ...)`"
            ),
        ),
        _ => None,
    }
}

//! What we know about standard-library (and a few very common third-party) calls:
//! which ones block, which return coroutines, which start an event loop.

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

/// Calls that start an event loop and therefore fail inside a running one.
pub fn starts_event_loop(qualified: &str) -> bool {
    qualified == "asyncio.run" || qualified.ends_with(".run_until_complete")
}

/// Blocking calls we know, with the catalogue entry whose fix fits and the advice.
pub fn blocking_advice(name: &str) -> Option<(&'static str, String)> {
    let (module, function) = name.rsplit_once('.')?;
    let advice = match (module, function) {
        ("time", "sleep") => (
            "blocking-the-loop",
            "`time.sleep()` blocks the event loop and every other task waits: \
             use `await asyncio.sleep(...)`"
                .to_string(),
        ),
        ("requests" | "httpx", verb) if HTTP_VERBS.contains(&verb) => (
            "blocking-the-loop",
            format!(
                "`{name}()` is a blocking HTTP call that stalls the event loop: use an \
                 async client (aiohttp, httpx.AsyncClient) or `await asyncio.to_thread(...)`"
            ),
        ),
        ("subprocess", "run" | "call" | "check_call" | "check_output") | ("os", "system") => (
            "to-thread",
            format!(
                "`{name}()` waits for the child process on the event loop's thread: use \
                 `await asyncio.create_subprocess_exec(...)` or `await asyncio.to_thread({name}, ...)`"
            ),
        ),
        ("urllib.request", "urlopen") => (
            "to-thread",
            "`urllib.request.urlopen()` blocks the event loop: use an async HTTP client \
             or `await asyncio.to_thread(urllib.request.urlopen, ...)`"
                .to_string(),
        ),
        (
            "socket",
            "create_connection" | "getaddrinfo" | "gethostbyname" | "gethostbyname_ex"
            | "gethostbyaddr" | "getfqdn",
        ) => (
            "to-thread",
            format!(
                "`{name}()` blocks on the network: use `await asyncio.open_connection(...)` \
                 or `await loop.getaddrinfo(...)`, or run it with `asyncio.to_thread`"
            ),
        ),
        _ => return None,
    };
    Some(advice)
}

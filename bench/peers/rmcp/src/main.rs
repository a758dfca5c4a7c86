//! The benchmark workload (`get_snippet`, `list_patterns`, `search_patterns`, `run_demo`)
//! served by the official Rust SDK, written the way its documentation shows: a tool
//! router from the `#[tool]` macros, `stdio_pipes()` for stdio and
//! `StreamableHttpService` with its default (session) configuration for HTTP.
//!
//! Usage: `bench-peer-rmcp stdio` or `bench-peer-rmcp http PORT`. The content comes from
//! the fixture the harness writes (`BENCH_FIXTURE`), so every peer returns the same bytes.

use rmcp::{
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{CallToolResult, ServerCapabilities, ServerConfig},
    schemars, tool, tool_handler, tool_router, ErrorData as McpError, ServerHandler, ServiceExt,
};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

struct Fixture {
    snippets: Map<String, Value>,
    list_patterns: Value,
    patterns: Vec<Value>,
    scripts: String,
    python: String,
}

fn load_fixture() -> Fixture {
    let path = std::env::var("BENCH_FIXTURE").expect("BENCH_FIXTURE");
    let text = std::fs::read_to_string(&path).expect("read fixture");
    let mut value: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let snippets = match value["snippets"].take() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let patterns = value["list_patterns"]["patterns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Fixture {
        snippets,
        list_patterns: value["list_patterns"].take(),
        patterns,
        scripts: value["scripts_dir"].as_str().unwrap_or(".").to_string(),
        python: value["python"].as_str().unwrap_or("python3").to_string(),
    }
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct SnippetArgs {
    /// Snippet id
    id: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct SearchArgs {
    /// What you are looking for
    query: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct DemoArgs {
    /// Pattern id
    id: String,
    /// Demo parameters, passed as `--name value`
    #[serde(default)]
    params: Map<String, Value>,
}

#[derive(Clone)]
struct Peer {
    fixture: Arc<Fixture>,
    tool_router: ToolRouter<Self>,
}

/// The harness's simple search: one point per query word found in a pattern's id,
/// title, summary or tags; the five best.
fn search(patterns: &[Value], query: &str) -> Value {
    let words: Vec<String> = query
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(String::from)
        .collect();
    let mut hits: Vec<(usize, &Value)> = patterns
        .iter()
        .filter_map(|p| {
            let mut text = String::new();
            for key in ["id", "title", "summary"] {
                text.push_str(&p[key].as_str().unwrap_or("").to_lowercase());
                text.push(' ');
            }
            for tag in p["tags"].as_array().into_iter().flatten() {
                text.push_str(&tag.as_str().unwrap_or("").to_lowercase());
                text.push(' ');
            }
            let score = words.iter().filter(|w| text.contains(w.as_str())).count();
            (score > 0).then_some((score, p))
        })
        .collect();
    hits.sort_by_key(|hit| std::cmp::Reverse(hit.0));
    let hits: Vec<Value> = hits
        .into_iter()
        .take(5)
        .map(|(score, p)| {
            json!({"id": p["id"], "title": p["title"], "summary": p["summary"],
                   "category": p["category"], "score": score})
        })
        .collect();
    json!({ "hits": hits })
}

#[tool_router]
impl Peer {
    fn new(fixture: Arc<Fixture>) -> Self {
        Self {
            fixture,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Return one snippet's code")]
    async fn get_snippet(
        &self,
        Parameters(args): Parameters<SnippetArgs>,
    ) -> Result<CallToolResult, McpError> {
        match self.fixture.snippets.get(&args.id) {
            Some(snippet) => Ok(CallToolResult::structured(snippet.clone())),
            None => Err(McpError::invalid_params(
                format!("unknown snippet {}", args.id),
                None,
            )),
        }
    }

    #[tool(description = "List the catalogue")]
    async fn list_patterns(&self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::structured(
            self.fixture.list_patterns.clone(),
        ))
    }

    #[tool(description = "Search the catalogue")]
    async fn search_patterns(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::structured(search(
            &self.fixture.patterns,
            &args.query,
        )))
    }

    #[tool(description = "Run a pattern's demo script")]
    async fn run_demo(
        &self,
        Parameters(args): Parameters<DemoArgs>,
    ) -> Result<CallToolResult, McpError> {
        if !args
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(McpError::invalid_params("bad id", None));
        }
        let mut command = tokio::process::Command::new(&self.fixture.python);
        command.arg(format!("{}/{}.py", self.fixture.scripts, args.id));
        for (name, value) in &args.params {
            command.arg(format!("--{name}"));
            command.arg(match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        command.kill_on_drop(true);
        match tokio::time::timeout(Duration::from_secs(10), command.output()).await {
            Ok(Ok(output)) => Ok(CallToolResult::structured(json!({
                "exit_code": output.status.code(),
                "stdout": String::from_utf8_lossy(&output.stdout),
                "timed_out": false,
            }))),
            Ok(Err(e)) => Err(McpError::internal_error(e.to_string(), None)),
            Err(_) => Ok(CallToolResult::structured(
                json!({"exit_code": null, "stdout": "", "timed_out": true}),
            )),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Peer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

async fn serve_http(fixture: Arc<Fixture>, port: u16) -> std::io::Result<()> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
    };
    let service: StreamableHttpService<Peer, LocalSessionManager> = StreamableHttpService::new(
        move || Ok(Peer::new(fixture.clone())),
        Default::default(),
        StreamableHttpServerConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixture = Arc::new(load_fixture());
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("http") => {
            let port = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
            serve_http(fixture, port).await?;
        }
        _ => {
            let running = Peer::new(fixture)
                .serve(rmcp::transport::stdio_pipes())
                .await?;
            running.waiting().await?;
        }
    }
    Ok(())
}

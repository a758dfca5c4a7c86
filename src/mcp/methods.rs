//! The method table: every MCP method once, with the eras that have it, whether its
//! result is cacheable, and its handler. Dispatch looks methods up here, so which era
//! serves what is written in one place.
//!
//! The handlers take the per-request [`RequestContext`] as a plain argument: dispatch
//! builds it before the call, so no handler can run without one. (jsonrpsee's
//! `RpcModule` would hand it over in a type map, where a missing context is an error to
//! handle at run time; jsonrpsee still gives us the JSON-RPC types and reply encoding.)

use super::context::{self, RequestContext};
use super::era::Era;
use super::{apps, lifecycle, prompts, resources, skills, tools};
use crate::error::McpError;
use crate::service::SkillService;
use jsonrpsee::types::Params;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How long clients may cache list/read results: the content is fixed for the life of
/// the binary, so an hour is safe and saves repeated round trips.
pub const CACHE_TTL_MS: u64 = 3_600_000;

pub type MethodFuture = Pin<Box<dyn Future<Output = Result<Value, McpError>> + Send>>;
type Handler = fn(Arc<SkillService>, Params<'static>, RequestContext) -> MethodFuture;

/// Which revisions have a method.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Eras {
    Both,
    LegacyOnly,
    ModernOnly,
}

/// How long a call may take, which decides where transports run it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallKind {
    /// Answered at once: run inline, in order.
    Quick,
    /// May take seconds (a demo): run beside the reader, cancellable.
    Long,
    /// Runs until the client ends it (a listener).
    OpenEnded,
}

pub struct Method {
    pub name: &'static str,
    pub eras: Eras,
    /// Modern results of lists, reads and discover carry `ttlMs`/`cacheScope`.
    cacheable: bool,
    handler: Handler,
}

impl Method {
    pub fn serves(&self, era: Era) -> bool {
        match self.eras {
            Eras::Both => true,
            Eras::LegacyOnly => era.is_legacy(),
            Eras::ModernOnly => !era.is_legacy(),
        }
    }

    /// Runs the handler; modern results say they are complete and, when cacheable, for
    /// how long.
    pub async fn call(
        &self,
        service: Arc<SkillService>,
        params: Params<'static>,
        ctx: RequestContext,
    ) -> Result<Value, McpError> {
        let era = ctx.era;
        // A client that renders MCP App views gets answers made for it (run_demo linked,
        // the view listed): no shared cache may hand them to another client.
        let scope = if ctx.renders_apps {
            "private"
        } else {
            "public"
        };
        let mut value = (self.handler)(service, params, ctx).await?;
        if era == Era::Modern {
            if let Some(map) = value.as_object_mut() {
                map.insert("resultType".into(), json!("complete"));
                if self.cacheable {
                    map.insert("ttlMs".into(), json!(CACHE_TTL_MS));
                    map.insert("cacheScope".into(), json!(scope));
                }
            }
        }
        Ok(value)
    }
}

/// The method called `name`, in any era.
pub fn find(name: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.name == name)
}

/// What kind of call `method` with this target (the tool name) is.
pub fn call_kind(method: &str, target: Option<&str>) -> CallKind {
    match method {
        "subscriptions/listen" => CallKind::OpenEnded,
        "tools/call" if target.is_some_and(tools::is_long_running) => CallKind::Long,
        _ => CallKind::Quick,
    }
}

/// Method params as `T`; absent params count as `{}`. Unknown keys are tolerated at this
/// level (forward compatibility); tool arguments are strict.
pub fn parse_params<T: DeserializeOwned>(params: &Params<'_>) -> Result<T, McpError> {
    match params.as_str() {
        None => serde_json::from_str("{}"),
        Some(raw) => serde_json::from_str(raw),
    }
    .map_err(|e| McpError::InvalidParams(e.to_string()))
}

fn boxed(future: impl Future<Output = Result<Value, McpError>> + Send + 'static) -> MethodFuture {
    Box::pin(future)
}

#[derive(Deserialize)]
struct CallParams {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Deserialize)]
struct SetLevelParams {
    level: String,
}

/// A list that fits on one page: any cursor is one we never issued.
fn one_page(params: &Params<'_>, list: &str) -> Result<(), McpError> {
    let params: resources::ListParams = parse_params(params)?;
    match params.cursor {
        Some(_) => Err(McpError::InvalidParams(format!(
            "invalid cursor: {list} has one page"
        ))),
        None => Ok(()),
    }
}

static METHODS: &[Method] = &[
    Method {
        name: "initialize",
        eras: Eras::LegacyOnly,
        cacheable: false,
        handler: |s, p, ctx| {
            boxed(async move {
                let params: Value = parse_params(&p)?;
                lifecycle::initialize(&s, &params, &ctx)
            })
        },
    },
    Method {
        name: "server/discover",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, _p, ctx| boxed(async move { Ok(lifecycle::discover(&s, &ctx)) }),
    },
    Method {
        name: "ping",
        eras: Eras::LegacyOnly,
        cacheable: false,
        handler: |_s, _p, _ctx| boxed(async { Ok(json!({})) }),
    },
    Method {
        name: "logging/setLevel",
        eras: Eras::LegacyOnly,
        cacheable: false,
        handler: |_s, p, ctx| {
            boxed(async move {
                let params: SetLevelParams = parse_params(&p)?;
                let rank = context::log_level_rank(&params.level).ok_or_else(|| {
                    McpError::InvalidParams(format!(
                        "unknown log level `{}`; one of {}",
                        params.level,
                        context::LOG_LEVELS.join(", ")
                    ))
                })?;
                ctx.session.set_log_level(rank);
                Ok(json!({}))
            })
        },
    },
    Method {
        name: "tools/list",
        eras: Eras::Both,
        cacheable: true,
        handler: |_s, p, ctx| {
            boxed(async move {
                one_page(&p, "tools/list")?;
                Ok(json!({ "tools": tools::definitions_for(ctx.renders_apps) }))
            })
        },
    },
    Method {
        name: "tools/call",
        eras: Eras::Both,
        cacheable: false,
        handler: |s, p, ctx| {
            boxed(async move {
                let params: CallParams = parse_params(&p)?;
                let result = tools::call(&s, &params.name, params.arguments, &ctx).await?;
                Ok(result.into_value())
            })
        },
    },
    Method {
        name: "resources/list",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, ctx| {
            boxed(async move {
                let mut list = resources::list(s.catalog.get(), parse_params(&p)?)?;
                if ctx.renders_apps && list.get("nextCursor").is_none() {
                    // After the skill's files, on the last page, so cursors stay the same.
                    if let Some(items) = list["resources"].as_array_mut() {
                        items.push(apps::resource_entry());
                    }
                }
                Ok(list)
            })
        },
    },
    Method {
        name: "resources/read",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, ctx| {
            boxed(async move {
                let params: resources::ReadParams = parse_params(&p)?;
                if ctx.renders_apps && params.uri.starts_with(apps::UI_SCHEME) {
                    return apps::read(&params.uri, &ctx);
                }
                resources::read(s.catalog.get(), params, &ctx)
            })
        },
    },
    Method {
        name: "resources/templates/list",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, _ctx| {
            boxed(async move {
                one_page(&p, "resources/templates/list")?;
                Ok(resources::templates(s.catalog.get()))
            })
        },
    },
    Method {
        name: "resources/directory/read",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, ctx| {
            boxed(async move { skills::read_directory(s.catalog.get(), parse_params(&p)?, &ctx) })
        },
    },
    Method {
        name: "skills/list",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, _ctx| {
            boxed(async move { skills::list(s.catalog.get(), parse_params(&p)?) })
        },
    },
    Method {
        name: "skills/get",
        eras: Eras::Both,
        cacheable: true,
        handler: |s, p, ctx| {
            boxed(async move { skills::get(s.catalog.get(), parse_params(&p)?, &ctx) })
        },
    },
    Method {
        name: "prompts/list",
        eras: Eras::Both,
        cacheable: true,
        handler: |_s, p, _ctx| {
            boxed(async move {
                one_page(&p, "prompts/list")?;
                Ok(prompts::list())
            })
        },
    },
    Method {
        name: "prompts/get",
        eras: Eras::Both,
        cacheable: false,
        handler: |s, p, _ctx| boxed(async move { prompts::get(&s, parse_params(&p)?) }),
    },
    Method {
        name: "completion/complete",
        eras: Eras::Both,
        cacheable: false,
        handler: |s, p, _ctx| {
            boxed(async move {
                let params: Value = parse_params(&p)?;
                prompts::complete(&s, &params)
            })
        },
    },
    Method {
        name: "subscriptions/listen",
        eras: Eras::ModernOnly,
        cacheable: false,
        handler: |_s, p, ctx| {
            boxed(async move {
                let params: Value = parse_params(&p)?;
                if !params.get("notifications").is_some_and(Value::is_object) {
                    return Err(McpError::InvalidParams(
                        "subscriptions/listen needs a `notifications` filter object".into(),
                    ));
                }
                // Our content never changes, so we agree to no notification types: the
                // stream is acknowledged, then stays open and silent until the client
                // ends it.
                if let Some(outbox) = &ctx.outbox {
                    let ack = json!({
                        "notifications": {},
                        "_meta": { "io.modelcontextprotocol/subscriptionId": ctx.request_id },
                    });
                    outbox
                        .notify("notifications/subscriptions/acknowledged", ack)
                        .await;
                }
                ctx.cancel.cancelled().await;
                Err(McpError::Internal("cancelled".into()))
            })
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_is_listed_once() {
        let mut names: Vec<_> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn the_eras_serve_what_their_revisions_define() {
        let modern = Era::Modern;
        let legacy = Era::Legacy("2025-11-25");
        for removed in ["initialize", "ping", "logging/setLevel"] {
            let method = find(removed).unwrap();
            assert!(!method.serves(modern) && method.serves(legacy), "{removed}");
        }
        let listen = find("subscriptions/listen").unwrap();
        assert!(listen.serves(modern) && !listen.serves(legacy));
        assert!(find("tools/call").unwrap().serves(modern));
        assert!(
            find("resources/subscribe").is_none(),
            "our content never changes"
        );
    }

    #[test]
    fn demos_and_listeners_are_the_calls_that_take_long() {
        assert_eq!(call_kind("tools/call", Some("run_demo")), CallKind::Long);
        assert_eq!(
            call_kind("tools/call", Some("get_snippet")),
            CallKind::Quick
        );
        assert_eq!(call_kind("subscriptions/listen", None), CallKind::OpenEnded);
        assert_eq!(call_kind("tools/list", None), CallKind::Quick);
    }
}

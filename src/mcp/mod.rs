//! MCP over JSON-RPC: the one method table every transport feeds. Transports decode the
//! envelope with [`dispatch`], attach a [`context::RequestContext`] and call through the
//! jsonrpsee `Methods` built here; the handlers live in one module per concern.

pub mod context;
pub mod dispatch;
pub mod lifecycle;
pub mod pagination;
pub mod prompts;
pub mod resources;
pub mod schema;
pub mod skills;
pub mod tools;

use crate::error::McpError;
use crate::service::SkillService;
use context::{Era, RequestContext};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::{Extensions, Methods, RpcModule};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// How long clients may cache list/read results: the content is fixed for the life of
/// the binary, so an hour is safe and saves repeated round trips.
pub const CACHE_TTL_MS: u64 = 3_600_000;

#[derive(Clone, Copy)]
enum Cache {
    /// Lists, reads and discover: carry `ttlMs`/`cacheScope` in the modern era.
    Cacheable,
    Plain,
}

/// Modern results say they are complete; cacheable ones say for how long.
fn finish(mut value: Value, era: Era, cache: Cache) -> Value {
    if era == Era::Modern {
        if let Some(map) = value.as_object_mut() {
            map.insert("resultType".into(), json!("complete"));
            if let Cache::Cacheable = cache {
                map.insert("ttlMs".into(), json!(CACHE_TTL_MS));
                map.insert("cacheScope".into(), json!("public"));
            }
        }
    }
    value
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

fn add<F, Fut>(module: &mut RpcModule<SkillService>, name: &'static str, cache: Cache, handler: F)
where
    F: Fn(Arc<SkillService>, Params<'static>, RequestContext) -> Fut
        + Clone
        + Send
        + Sync
        + 'static,
    Fut: Future<Output = Result<Value, McpError>> + Send + 'static,
{
    module
        .register_async_method(name, move |params, service, extensions: Extensions| {
            let handler = handler.clone();
            let ctx = extensions.get::<RequestContext>().cloned();
            async move {
                let ctx =
                    ctx.ok_or_else(|| McpError::Internal("request without context".into()))?;
                let era = ctx.era;
                let value = handler(service, params, ctx).await?;
                Ok::<Value, ErrorObjectOwned>(finish(value, era, cache))
            }
        })
        .expect("each method is registered once");
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

/// Builds the method table. Registered once per process; transports share it.
pub fn methods(service: Arc<SkillService>) -> Methods {
    let mut m = RpcModule::from_arc(service);
    use Cache::{Cacheable, Plain};

    add(&mut m, "initialize", Plain, |s, p, ctx| async move {
        let params: Value = parse_params(&p)?;
        lifecycle::initialize(&s, &params, &ctx)
    });
    add(
        &mut m,
        "server/discover",
        Cacheable,
        |s, _p, ctx| async move { Ok(lifecycle::discover(&s, &ctx)) },
    );
    add(&mut m, "ping", Plain, |_s, _p, _ctx| async move {
        Ok(json!({}))
    });
    add(&mut m, "logging/setLevel", Plain, |_s, p, ctx| async move {
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
    });
    add(&mut m, "tools/list", Cacheable, |_s, p, _ctx| async move {
        let params: resources::ListParams = parse_params(&p)?;
        if params.cursor.is_some() {
            // All tools fit on one page; any cursor is one we never issued.
            return Err(McpError::InvalidParams(
                "invalid cursor: tools/list has one page".into(),
            ));
        }
        Ok(json!({ "tools": tools::definitions() }))
    });
    add(&mut m, "tools/call", Plain, |s, p, ctx| async move {
        let params: CallParams = parse_params(&p)?;
        let result = tools::call(&s, &params.name, params.arguments, &ctx).await?;
        Ok(result.into_value())
    });
    add(
        &mut m,
        "resources/list",
        Cacheable,
        |s, p, _ctx| async move { resources::list(&s.catalog, parse_params(&p)?) },
    );
    add(
        &mut m,
        "resources/read",
        Cacheable,
        |s, p, ctx| async move { resources::read(&s.catalog, parse_params(&p)?, &ctx) },
    );
    add(
        &mut m,
        "resources/templates/list",
        Cacheable,
        |s, p, _ctx| async move {
            let params: resources::ListParams = parse_params(&p)?;
            if params.cursor.is_some() {
                return Err(McpError::InvalidParams(
                    "invalid cursor: one page only".into(),
                ));
            }
            Ok(resources::templates(&s.catalog))
        },
    );
    add(
        &mut m,
        "resources/directory/read",
        Cacheable,
        |s, p, ctx| async move { skills::read_directory(&s.catalog, parse_params(&p)?, &ctx) },
    );
    add(&mut m, "skills/list", Cacheable, |s, p, _ctx| async move {
        skills::list(&s.catalog, parse_params(&p)?)
    });
    add(&mut m, "skills/get", Cacheable, |s, p, ctx| async move {
        skills::get(&s.catalog, parse_params(&p)?, &ctx)
    });
    add(
        &mut m,
        "prompts/list",
        Cacheable,
        |_s, p, _ctx| async move {
            let params: resources::ListParams = parse_params(&p)?;
            if params.cursor.is_some() {
                return Err(McpError::InvalidParams(
                    "invalid cursor: one page only".into(),
                ));
            }
            Ok(prompts::list())
        },
    );
    add(&mut m, "prompts/get", Plain, |s, p, _ctx| async move {
        prompts::get(&s, parse_params(&p)?)
    });
    add(
        &mut m,
        "completion/complete",
        Plain,
        |s, p, _ctx| async move {
            let params: Value = parse_params(&p)?;
            prompts::complete(&s, &params)
        },
    );
    add(
        &mut m,
        "subscriptions/listen",
        Plain,
        |_s, p, ctx| async move {
            let params: Value = parse_params(&p)?;
            if !params.get("notifications").is_some_and(Value::is_object) {
                return Err(McpError::InvalidParams(
                    "subscriptions/listen needs a `notifications` filter object".into(),
                ));
            }
            // Our content never changes, so we agree to no notification types: the stream
            // is acknowledged, then stays open and silent until the client ends it.
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
        },
    );
    m.into()
}

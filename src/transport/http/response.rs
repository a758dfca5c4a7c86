//! The responses `/mcp` sends, and the one mapping from a reply's JSON-RPC error to an
//! HTTP status (read from the typed reply, never from its JSON).

use super::body::Body;
use crate::error::{McpError, METHOD_NOT_FOUND};
use crate::mcp::dispatch::{Reply, ReplyError};
use crate::mcp::era::Framing;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use jsonrpsee::types::Id;

pub fn json(status: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(Body::full(message));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A reply, with the status its error calls for.
pub fn reply(reply: Reply, framing: Framing) -> Response<Body> {
    json(status_for(reply.error, framing), reply.json)
}

/// An error found by the HTTP layer itself, with an explicit status.
pub fn error(status: StatusCode, id: Id<'_>, err: McpError) -> Response<Body> {
    json(status, Reply::error(id, err).json)
}

pub fn accepted() -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}

/// A refused message is a bad request; an unknown method of the modern era is 404; a
/// method that ran and failed is still a 200 carrying its JSON-RPC error.
pub fn status_for(error: Option<ReplyError>, framing: Framing) -> StatusCode {
    match error {
        None => StatusCode::OK,
        Some(e) if e.code == METHOD_NOT_FOUND && framing == Framing::Modern => {
            StatusCode::NOT_FOUND
        }
        Some(e) if e.refused => StatusCode::BAD_REQUEST,
        Some(_) => StatusCode::OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(err: McpError) -> Option<ReplyError> {
        Reply::error(Id::Number(1), err).error
    }

    #[test]
    fn statuses_follow_the_reply_error() {
        assert_eq!(status_for(None, Framing::Modern), StatusCode::OK);
        let missing = error_of(McpError::MethodNotFound("x".into()));
        assert_eq!(status_for(missing, Framing::Modern), StatusCode::NOT_FOUND);
        assert_eq!(status_for(missing, Framing::Unstated), StatusCode::OK);
        let parse = error_of(McpError::Parse("x".into()));
        assert_eq!(
            status_for(parse, Framing::Unstated),
            StatusCode::BAD_REQUEST
        );
        let no_meta = error_of(McpError::MissingMeta("x".into()));
        assert_eq!(
            status_for(no_meta, Framing::Modern),
            StatusCode::BAD_REQUEST
        );
        let bad_args = error_of(McpError::InvalidParams("x".into()));
        assert_eq!(status_for(bad_args, Framing::Modern), StatusCode::OK);
    }
}

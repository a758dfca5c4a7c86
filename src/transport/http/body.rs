//! Response bodies: a buffer sent whole (with its length), or an event stream fed by a
//! channel. Dropping a stream body (the client went away) closes the channel, which is
//! how the sending task learns that it should cancel its request.

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use hyper::header::{HeaderValue, CONTENT_LENGTH};
use hyper::Response;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

pub enum Body {
    Full(Option<Bytes>),
    Stream(mpsc::Receiver<Bytes>),
}

impl Body {
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes: Bytes = bytes.into();
        Body::Full((!bytes.is_empty()).then_some(bytes))
    }

    pub fn empty() -> Self {
        Body::Full(None)
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::Stream(rx) => rx
                .poll_recv(cx)
                .map(|next| next.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(None) => SizeHint::with_exact(0),
            Body::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Body::Stream(_) => SizeHint::default(),
        }
    }
}

/// A HEAD response: the GET response's headers, its length, and no body.
pub fn strip_for_head(response: &mut Response<Body>) {
    let length = match response.body() {
        Body::Full(Some(bytes)) => bytes.len(),
        _ => 0,
    };
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    *response.body_mut() = Body::empty();
}

/// One server-sent event carrying one JSON-RPC message.
pub fn sse_event(message: &str) -> Bytes {
    let mut event = String::with_capacity(message.len() + 24);
    event.push_str("event: message\ndata: ");
    event.push_str(message);
    event.push_str("\n\n");
    Bytes::from(event)
}

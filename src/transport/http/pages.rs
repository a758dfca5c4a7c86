//! The catalogue's pages over HTTP: `/` (for browsers; other clients keep the short
//! text of [`super::home`]), `/index.html`, `/patterns/<id>.html` and the script they
//! load, `/assets/timeline.js`. The pages
//! themselves come from [`crate::site`]; this only routes, negotiates and frames.

use super::body::{self, Body};
use super::{home, not_allowed, text, Shared};
use crate::site::{self, Mode};
use hyper::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, HOST, VARY};
use hyper::{Method, Response, StatusCode};

/// Whether a path belongs to the pages (so that their 404s and 405s are ours).
pub fn owns(path: &str) -> bool {
    path == "/"
        || path == "/index.html"
        || path.starts_with("/patterns/")
        || path.starts_with("/assets/")
}

/// `http://HOST` as the client addressed us. The guard has already accepted this Host,
/// so links built from it work as typed.
pub fn base(headers: &HeaderMap) -> String {
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"))
        .unwrap_or_default()
}

/// Browsers name `text/html`; curl's `*/*`, scripts and no `Accept` at all get the
/// short plain-text description, which reads better in a terminal.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|item| item.split(';').next().unwrap_or("").trim())
        .any(|kind| {
            kind.eq_ignore_ascii_case("text/html")
                || kind.eq_ignore_ascii_case("application/xhtml+xml")
        })
}

pub fn handle(shared: &Shared, method: &Method, headers: &HeaderMap, path: &str) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return not_allowed("GET, HEAD");
    }
    let mut response = if path == "/" && !wants_html(headers) {
        let mut response = home::page(&base(headers));
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        response
    } else {
        let base = base(headers);
        let relative = path.trim_start_matches('/');
        let found = site::asset(relative)
            .map(|(content_type, text)| (content_type, Body::full(text)))
            .or_else(|| {
                site::page(&shared.service, relative, &Mode::Served { base: &base })
                    .map(|html| ("text/html; charset=utf-8", Body::full(html)))
            });
        match found {
            Some((content_type, body)) => {
                let mut response = Response::new(body);
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                if path == "/" {
                    response
                        .headers_mut()
                        .insert(VARY, HeaderValue::from_static("Accept"));
                }
                response
            }
            None => text(
                StatusCode::NOT_FOUND,
                "not found: no such page; the catalogue's index is at /\n",
            ),
        }
    };
    if method == Method::HEAD {
        body::strip_for_head(&mut response);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clients_that_name_html_get_the_page_at_the_root() {
        let accept = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
            wants_html(&headers)
        };
        assert!(accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(accept("application/xhtml+xml"));
        assert!(!accept("*/*"));
        assert!(!accept("text/plain"));
        assert!(!wants_html(&HeaderMap::new()));
    }
}

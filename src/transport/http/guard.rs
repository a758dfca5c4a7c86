//! Who may talk to the server. A web page in the user's browser can send requests to
//! 127.0.0.1 too: the `Origin` check stops foreign pages, and the `Host` check stops DNS
//! rebinding (a foreign name that resolves to 127.0.0.1 still carries that name in
//! `Host`). The optional bearer token is compared in constant time and never logged.

use super::body::Body;
use super::HttpConfig;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Response, StatusCode};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use subtle::ConstantTimeEq;

/// Names that always mean this machine.
const LOOPBACK_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

pub struct Guard {
    hosts: HashSet<String>,
    /// Bound to every interface: any IP literal is ours (rebinding needs a name).
    any_ip_host: bool,
    origins: HashSet<String>,
    /// SHA-256 of the token: comparing digests keeps the comparison's length fixed.
    token: Option<[u8; 32]>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    BadHost,
    ForeignOrigin,
    MissingToken,
    WrongToken,
}

impl Refusal {
    pub fn response(&self) -> Response<Body> {
        let (status, message) = match self {
            Refusal::BadHost => (
                StatusCode::FORBIDDEN,
                "forbidden: Host is not an allowed name for this server (see --allow-host)\n",
            ),
            Refusal::ForeignOrigin => (
                StatusCode::FORBIDDEN,
                "forbidden: requests from this Origin are not allowed (see --allow-origin)\n",
            ),
            Refusal::MissingToken => (
                StatusCode::UNAUTHORIZED,
                "unauthorized: send Authorization: Bearer <token>\n",
            ),
            Refusal::WrongToken => (StatusCode::UNAUTHORIZED, "unauthorized: wrong token\n"),
        };
        let mut response = Response::new(Body::full(message));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        match self {
            Refusal::MissingToken => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Refusal::WrongToken => {
                headers.insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            _ => {}
        }
        response
    }
}

/// The host part of an authority (`name`, `name:port`, `[v6]:port`), lowercased.
fn host_of(authority: &str) -> Option<String> {
    let authority = authority.trim().to_ascii_lowercase();
    if authority.is_empty() {
        return None;
    }
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        let rest = &authority[end + 1..];
        if !(rest.is_empty()
            || rest[1..].bytes().all(|b| b.is_ascii_digit()) && rest.starts_with(':'))
        {
            return None;
        }
        return Some(authority[..=end].to_string());
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !host.contains(':') => {
            Some(host.to_string())
        }
        Some(_) => None,
        None => Some(authority),
    }
}

/// `scheme://host[:port]` as browsers send it, lowercased, no trailing slash.
fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn ip_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

impl Guard {
    pub fn new(config: &HttpConfig, bound: SocketAddr) -> Self {
        let mut hosts: HashSet<String> = LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect();
        if !bound.ip().is_unspecified() {
            hosts.insert(ip_text(bound.ip()));
        }
        for host in &config.allow_hosts {
            // Given with or without a port: the name is what rebinding changes.
            if let Some(host) = host_of(host) {
                hosts.insert(host);
            }
        }
        Self {
            hosts,
            any_ip_host: bound.ip().is_unspecified(),
            origins: config
                .allow_origins
                .iter()
                .map(|o| normalize_origin(o))
                .collect(),
            token: config
                .token
                .as_ref()
                .map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    pub fn check_host(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let host = headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(host_of)
            .ok_or(Refusal::BadHost)?;
        if self.hosts.contains(&host) {
            return Ok(());
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if self.any_ip_host && bare.parse::<IpAddr>().is_ok() {
            return Ok(());
        }
        Err(Refusal::BadHost)
    }

    /// No `Origin` (not a browser) is fine; a loopback origin on any port is ours, and so
    /// is the server's own origin (the catalogue's pages calling `/mcp`): an `Origin`
    /// whose authority is the request's `Host`, which [`Guard::check_host`] has vetted.
    pub fn check_origin(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let origin = normalize_origin(origin.to_str().map_err(|_| Refusal::ForeignOrigin)?);
        if self.origins.contains(&origin) {
            return Ok(());
        }
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .ok_or(Refusal::ForeignOrigin)?;
        let same_origin = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| host.trim().eq_ignore_ascii_case(authority))
            && self.check_host(headers).is_ok();
        if same_origin {
            return Ok(());
        }
        match host_of(authority) {
            Some(host) if LOOPBACK_HOSTS.contains(&host.as_str()) => Ok(()),
            _ => Err(Refusal::ForeignOrigin),
        }
    }

    pub fn check_token(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let presented = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or(Refusal::MissingToken)?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        if bool::from(digest.ct_eq(expected)) {
            Ok(())
        } else {
            Err(Refusal::WrongToken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config(token: Option<&str>) -> HttpConfig {
        HttpConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            print_url: false,
            token: token.map(String::from),
            allow_origins: vec!["https://App.example.com/".into()],
            allow_hosts: vec!["mcp.example.com:8443".into()],
            allow_remote_without_token: false,
            max_body_bytes: 1,
            max_connections: 1,
            max_sessions: 1,
            session_idle: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(1),
        }
    }

    fn headers(pairs: &[(hyper::header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn hosts_are_split_from_their_ports() {
        assert_eq!(host_of("LocalHost:8000").as_deref(), Some("localhost"));
        assert_eq!(host_of("[::1]:8000").as_deref(), Some("[::1]"));
        assert_eq!(host_of("[::1]").as_deref(), Some("[::1]"));
        assert_eq!(host_of("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(host_of("a:b"), None);
        assert_eq!(host_of("[::1]x"), None);
    }

    #[test]
    fn host_names_outside_the_allow_list_are_refused() {
        let guard = Guard::new(&config(None), "127.0.0.1:8000".parse().unwrap());
        for ok in [
            "localhost:8000",
            "127.0.0.1:8000",
            "[::1]:1",
            "mcp.example.com",
        ] {
            assert_eq!(guard.check_host(&headers(&[(HOST, ok)])), Ok(()), "{ok}");
        }
        for bad in ["evil.example:8000", "10.0.0.1:8000", ""] {
            assert_eq!(
                guard.check_host(&headers(&[(HOST, bad)])),
                Err(Refusal::BadHost)
            );
        }
        assert_eq!(guard.check_host(&HeaderMap::new()), Err(Refusal::BadHost));
    }

    #[test]
    fn loopback_and_listed_origins_pass_others_do_not() {
        let guard = Guard::new(&config(None), "127.0.0.1:8000".parse().unwrap());
        assert_eq!(guard.check_origin(&HeaderMap::new()), Ok(()));
        for ok in [
            "http://localhost:5173",
            "http://127.0.0.1",
            "https://[::1]:9",
            "https://app.example.com",
        ] {
            assert_eq!(
                guard.check_origin(&headers(&[(ORIGIN, ok)])),
                Ok(()),
                "{ok}"
            );
        }
        // The server's own origin, under a name it was told to answer to.
        let own = headers(&[
            (HOST, "mcp.example.com:8443"),
            (ORIGIN, "https://mcp.example.com:8443"),
        ]);
        assert_eq!(guard.check_origin(&own), Ok(()));
        // A foreign page whose name resolves here (rebinding) carries its name in Host
        // too, and that name is not ours.
        let rebound = headers(&[
            (HOST, "evil.example:8000"),
            (ORIGIN, "http://evil.example:8000"),
        ]);
        assert_eq!(guard.check_origin(&rebound), Err(Refusal::ForeignOrigin));
        for bad in [
            "https://evil.example",
            "null",
            "http://localhost.evil.example",
            "file://localhost",
        ] {
            assert_eq!(
                guard.check_origin(&headers(&[(ORIGIN, bad)])),
                Err(Refusal::ForeignOrigin),
                "{bad}"
            );
        }
    }

    #[test]
    fn bearer_token_must_match() {
        let guard = Guard::new(&config(Some("s3cret")), "127.0.0.1:0".parse().unwrap());
        assert_eq!(
            guard.check_token(&HeaderMap::new()),
            Err(Refusal::MissingToken)
        );
        assert_eq!(
            guard.check_token(&headers(&[(AUTHORIZATION, "Bearer nope")])),
            Err(Refusal::WrongToken)
        );
        assert_eq!(
            guard.check_token(&headers(&[(AUTHORIZATION, "bearer s3cret")])),
            Ok(())
        );
        let open = Guard::new(&config(None), "127.0.0.1:0".parse().unwrap());
        assert_eq!(open.check_token(&HeaderMap::new()), Ok(()));
    }
}

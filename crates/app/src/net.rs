//! Fetching from other servers, politely and safely: the link checker (and
//! later the feed and calendar importers) go through here.
//!
//! Every address a host name resolves to is checked before connecting, and
//! the connection goes to a checked address (so a name cannot be made to
//! point inside the network between the check and the request). Loopback,
//! private, link-local, shared and other special addresses are refused
//! unless the site's configuration allows them (tests serve links on
//! loopback). Requests to one host are spaced a few seconds apart.

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// What the fetcher may do.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Allow loopback and private addresses (tests, or a site on an intranet).
    pub allow_private: bool,
    /// Longest wait for one response.
    pub timeout: Duration,
    /// Shortest pause between two requests to the same host.
    pub per_host_interval: Duration,
    /// Most redirects followed.
    pub max_redirects: usize,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            per_host_interval: Duration::from_secs(3),
            max_redirects: 5,
        }
    }
}

/// True for addresses a server-side fetch must not reach.
///
/// An IPv6 address that carries an IPv4 address inside it (IPv4-mapped,
/// IPv4-compatible, IPv4-translated, NAT64, 6to4, Teredo) is judged by the
/// IPv4 address it wraps, since that is where a packet to it can end up.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if v6.is_loopback() || v6.is_unspecified() {
                return true;
            }
            if wrapped_ipv4(v6).into_iter().flatten().any(is_forbidden_v4) {
                return true;
            }
            v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x3fff && s[1] < 0x1000) // documentation (RFC 9637)
                || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001) // local-use NAT64 (RFC 8215)
                || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only
                || (s[0] == 0x2001 && s[1] == 0x0002 && s[2] == 0) // benchmarking
                || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0010) // ORCHID
                || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0020) // ORCHIDv2
                || s[0..6] == [0; 6] // any other IPv4-compatible form (::/96)
        }
    }
}

fn is_forbidden_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (18..20).contains(&o[1])) // benchmarking
        || o[0] >= 240 // reserved
}

/// The IPv4 address an IPv6 address wraps, for the forms that carry one:
/// IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, IPv4-translated
/// `::ffff:0:a.b.c.d` (RFC 2765), NAT64 `64:ff9b::a.b.c.d` (RFC 6052), 6to4
/// `2002:aabb:ccdd::/48` (RFC 3056) and Teredo `2001:0::/32` (RFC 4380: the
/// Teredo server's address, and the client's stored inverted in the last 32
/// bits).
fn wrapped_ipv4(v6: Ipv6Addr) -> [Option<Ipv4Addr>; 2] {
    let from = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match v6.segments() {
        [0, 0, 0, 0, 0, 0xffff, hi, lo]
        | [0, 0, 0, 0, 0, 0, hi, lo]
        | [0, 0, 0, 0, 0xffff, 0, hi, lo]
        | [0x0064, 0xff9b, 0, 0, 0, 0, hi, lo]
        | [0x2002, hi, lo, ..] => [Some(from(hi, lo)), None],
        [0x2001, 0x0000, server_hi, server_lo, _, _, hi, lo] => {
            [Some(from(server_hi, server_lo)), Some(from(!hi, !lo))]
        }
        _ => [None, None],
    }
}

/// A resolver that drops forbidden addresses (and fails if none is left).
#[derive(Clone)]
struct GuardedResolver {
    allow_private: bool,
}

impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allow_private || !is_forbidden(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "refused: the name points to a private or local address",
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector<GuardedResolver>>;

/// What checking one link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCheck {
    /// ok, redirect, broken, unreachable or refused.
    pub status: &'static str,
    /// The HTTP status or the error, in words.
    pub detail: String,
    /// Where redirects ended, if anywhere else.
    pub final_url: Option<String>,
}

/// Gives the headers that sign a request to an address (see
/// [`Fetcher::get_signed`]), or why it cannot be signed.
pub type SignRequest = dyn Fn(&str) -> Result<Vec<(String, String)>, String> + Send + Sync;

/// The HTTP client for fetches leaving the site.
pub struct Fetcher {
    client: Client<Connector, Empty<Bytes>>,
    /// The same connector, for requests with a body (deliveries to
    /// fediverse inboxes).
    poster: Client<Connector, Full<Bytes>>,
    policy: FetchPolicy,
    last_visit: Mutex<HashMap<String, Instant>>,
}

impl Fetcher {
    /// A client following `policy`.
    pub fn new(policy: FetchPolicy) -> Self {
        let mut http = HttpConnector::new_with_resolver(GuardedResolver {
            allow_private: policy.allow_private,
        });
        http.enforce_http(false);
        http.set_connect_timeout(Some(policy.timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(https.clone());
        let poster = Client::builder(TokioExecutor::new()).build(https);
        Self {
            client,
            poster,
            policy,
            last_visit: Mutex::new(HashMap::new()),
        }
    }

    /// True when this fetcher may reach private and local addresses (a site
    /// on an intranet, or under test).
    pub fn allows_private(&self) -> bool {
        self.policy.allow_private
    }

    /// Waits until the host may be asked again, then notes the visit.
    async fn pace(&self, host: &str) {
        loop {
            let wait = {
                let Ok(mut map) = self.last_visit.lock() else {
                    return;
                };
                let now = Instant::now();
                match map.get(host) {
                    Some(last) if now.duration_since(*last) < self.policy.per_host_interval => {
                        Some(self.policy.per_host_interval - now.duration_since(*last))
                    }
                    _ => {
                        map.insert(host.to_owned(), now);
                        None
                    }
                }
            };
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => return,
            }
        }
    }

    /// Sends one request (no redirects followed) after checking the host
    /// and pausing for it, with the agent named `agent`.
    async fn send(
        &self,
        method: Method,
        uri: &Uri,
        headers: &[(&str, String)],
        agent: &str,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        let host = self.screen_host(uri)?;
        self.pace(&host).await;
        let mut req = Request::builder().method(method).uri(uri.clone()).header(
            "user-agent",
            format!("{agent} (+https://example.org/convene)"),
        );
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req.body(Empty::<Bytes>::new()).map_err(|e| e.to_string())?;
        self.timed(self.client.request(req)).await
    }

    /// The host of `uri`, when it is an http(s) address the policy lets us
    /// reach (names are checked again as they resolve).
    fn screen_host(&self, uri: &Uri) -> Result<String, String> {
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err("only http and https addresses can be fetched".into());
        }
        let host = uri
            .host()
            .ok_or("the address has no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        if let Ok(ip) = host.parse::<IpAddr>()
            && !self.policy.allow_private
            && is_forbidden(ip)
        {
            return Err("refused: a private or local address".into());
        }
        Ok(host)
    }

    /// Waits for `request` within the policy's timeout, and says plainly
    /// why it failed.
    async fn timed(
        &self,
        request: impl Future<
            Output = Result<
                hyper::Response<hyper::body::Incoming>,
                hyper_util::client::legacy::Error,
            >,
        >,
    ) -> Result<hyper::Response<hyper::body::Incoming>, String> {
        tokio::time::timeout(self.policy.timeout, request)
            .await
            .map_err(|_| format!("no answer within {} s", self.policy.timeout.as_secs()))?
            .map_err(|e| {
                let text = format!("{e:?}");
                if text.contains("refused: the name points") {
                    "refused: the name points to a private or local address".to_owned()
                } else {
                    format!("cannot connect: {}", innermost(&e))
                }
            })
    }

    async fn request(
        &self,
        method: Method,
        uri: &Uri,
    ) -> Result<(StatusCode, Option<String>), String> {
        let response = self.send(method, uri, &[], "convene link checker").await?;
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Read (and drop) at most a little of the body, so the connection can be reused.
        let _ = tokio::time::timeout(Duration::from_secs(2), response.into_body().collect()).await;
        Ok((status, location))
    }

    /// Checks `url`: HEAD first, then GET when HEAD is refused; redirects
    /// are followed (each hop checked like the first) and recorded.
    pub async fn check(&self, url: &str) -> LinkCheck {
        let Ok(mut uri) = url.parse::<Uri>() else {
            return LinkCheck {
                status: "broken",
                detail: "not a valid address".into(),
                final_url: None,
            };
        };
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return LinkCheck {
                status: "ok",
                detail: "not checked (not a web link)".into(),
                final_url: None,
            };
        }
        let mut redirected = false;
        for _ in 0..=self.policy.max_redirects {
            let mut result = self.request(Method::HEAD, &uri).await;
            if matches!(result, Ok((s, _)) if s == StatusCode::METHOD_NOT_ALLOWED || s == StatusCode::NOT_IMPLEMENTED || s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND)
            {
                result = self.request(Method::GET, &uri).await;
            }
            match result {
                Err(e) if e.starts_with("refused") => {
                    return LinkCheck {
                        status: "refused",
                        detail: e,
                        final_url: None,
                    };
                }
                Err(e) => {
                    return LinkCheck {
                        status: "unreachable",
                        detail: e,
                        final_url: None,
                    };
                }
                Ok((status, Some(location))) if status.is_redirection() => {
                    let next = resolve(&uri, &location);
                    match next {
                        Some(n) => {
                            uri = n;
                            redirected = true;
                        }
                        None => {
                            return LinkCheck {
                                status: "broken",
                                detail: format!("HTTP {} to an invalid address", status.as_u16()),
                                final_url: None,
                            };
                        }
                    }
                }
                Ok((status, _)) => {
                    let final_url = redirected.then(|| uri.to_string());
                    let detail = format!("HTTP {}", status.as_u16());
                    return if status.is_success() {
                        LinkCheck {
                            status: if redirected { "redirect" } else { "ok" },
                            detail,
                            final_url,
                        }
                    } else {
                        LinkCheck {
                            status: "broken",
                            detail,
                            final_url,
                        }
                    };
                }
            }
        }
        LinkCheck {
            status: "broken",
            detail: format!("more than {} redirects", self.policy.max_redirects),
            final_url: Some(uri.to_string()),
        }
    }
}

/// The answer to a GET: status, validators and (for 200) the body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// HTTP status (200, or 304 for a conditional GET that found no change).
    pub status: u16,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    pub last_modified: Option<String>,
    /// The body (empty unless 200).
    pub body: Vec<u8>,
}

impl Fetcher {
    /// Refuses a URL that is not http(s) or whose host resolves only to
    /// private or local addresses (unless the policy allows them).
    pub async fn screen(&self, url: &str) -> Result<(), String> {
        let uri: Uri = url.parse().map_err(|_| "not a valid address".to_owned())?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err("only http and https addresses can be fetched".into());
        }
        let host = uri
            .host()
            .ok_or("the address has no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        if self.policy.allow_private {
            return Ok(());
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return if is_forbidden(ip) {
                Err("refused: a private or local address".into())
            } else {
                Ok(())
            };
        }
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        if addrs.iter().all(|a| is_forbidden(a.ip())) {
            return Err("refused: the name points to a private or local address".into());
        }
        Ok(())
    }

    /// GETs `url` with extra request headers (for conditional requests),
    /// following redirects (each hop checked like the first), reading at most
    /// `max_bytes` of body.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(&str, String)],
        max_bytes: usize,
    ) -> Result<Fetched, String> {
        self.get_as(url, headers, max_bytes, "convene calendar sync")
            .await
    }

    /// As [`Fetcher::get`], naming itself `agent`.
    pub async fn get_as(
        &self,
        url: &str,
        headers: &[(&str, String)],
        max_bytes: usize,
        agent: &str,
    ) -> Result<Fetched, String> {
        self.get_signed(url, headers, max_bytes, agent, &|_| Ok(Vec::new()))
            .await
    }

    /// As [`Fetcher::get_as`], adding the headers `sign` gives for each
    /// address asked (the first and every redirect's), such as an HTTP
    /// Signature for servers that answer only signed requests.
    pub async fn get_signed(
        &self,
        url: &str,
        headers: &[(&str, String)],
        max_bytes: usize,
        agent: &str,
        sign: &SignRequest,
    ) -> Result<Fetched, String> {
        let mut uri: Uri = url.parse().map_err(|_| "not a valid address".to_owned())?;
        for _ in 0..=self.policy.max_redirects {
            let signed = sign(&uri.to_string())?;
            let mut hop = headers.to_vec();
            hop.extend(signed.iter().map(|(k, v)| (k.as_str(), v.clone())));
            let response = self.send(Method::GET, &uri, &hop, agent).await?;
            let status = response.status();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let location = header("location").ok_or("a redirect without a Location")?;
                uri = resolve(&uri, &location).ok_or("a redirect to an invalid address")?;
                continue;
            }
            let (etag, last_modified) = (header("etag"), header("last-modified"));
            if status != StatusCode::OK {
                return Ok(Fetched {
                    status: status.as_u16(),
                    etag,
                    last_modified,
                    body: Vec::new(),
                });
            }
            let body = http_body_util::Limited::new(response.into_body(), max_bytes);
            let bytes = tokio::time::timeout(self.policy.timeout * 3, body.collect())
                .await
                .map_err(|_| "the answer took too long to arrive".to_owned())?
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        format!("the answer is larger than the limit of {max_bytes} bytes")
                    } else {
                        format!("the answer broke off: {e}")
                    }
                })?
                .to_bytes();
            return Ok(Fetched {
                status: 200,
                etag,
                last_modified,
                body: bytes.to_vec(),
            });
        }
        Err(format!("more than {} redirects", self.policy.max_redirects))
    }
}

impl Fetcher {
    /// POSTs `body` to `url` with `headers`, without pausing for the host
    /// (deliveries to one server's inbox follow each other) and without
    /// following redirects. Returns the status and at most 4 KiB of the
    /// answer, for the log.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
        agent: &str,
    ) -> Result<(u16, String), String> {
        let uri: Uri = url.parse().map_err(|_| "not a valid address".to_owned())?;
        self.screen_host(&uri)?;
        let mut req = Request::builder().method(Method::POST).uri(uri).header(
            "user-agent",
            format!("{agent} (+https://example.org/convene)"),
        );
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = self.timed(self.poster.request(req)).await?;
        let status = response.status().as_u16();
        let body = http_body_util::Limited::new(response.into_body(), 4096);
        let text = match tokio::time::timeout(self.policy.timeout, body.collect()).await {
            Ok(Ok(b)) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
            _ => String::new(),
        };
        Ok((status, text))
    }
}

/// `location` resolved against `base` (absolute, or a path on the same origin).
fn resolve(base: &Uri, location: &str) -> Option<Uri> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.parse().ok();
    }
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    let path = if location.starts_with('/') {
        location.to_owned()
    } else {
        format!("/{location}")
    };
    format!("{scheme}://{authority}{path}").parse().ok()
}

/// The deepest cause of `e`, which says what went wrong ("Connection
/// refused", "failed to lookup address information") where the outer
/// layers only say where ("client error (Connect)").
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_says_why_not_only_where() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let fetcher = Fetcher::new(FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        });
        let err = fetcher
            .get(&format!("http://127.0.0.1:{port}/feed.ics"), &[], 1024)
            .await
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("cannot connect: "), "{err}");
        assert!(!err.contains("client error"), "{err}");
        assert!(err.to_lowercase().contains("refused"), "{err}");
    }

    #[test]
    fn special_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "64:ff9b:1::808:808",
            "100::1",
            "2001:db8::1",
        ] {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "151.101.1.69", "2a04:4e42::223"] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    /// Each IPv6 form that carries an IPv4 address, wrapping a private or
    /// local address (refused) and a public one (allowed, where the form is
    /// still in use).
    #[test]
    fn wrapped_ipv4_addresses_are_judged_by_what_they_wrap() {
        let refused = [
            // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "::7f00:1",
            // IPv4-mapped
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:7f00:1",
            // IPv4-translated (RFC 2765)
            "::ffff:0:127.0.0.1",
            "::ffff:0:192.168.0.1",
            // NAT64 well-known prefix (RFC 6052)
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::192.168.1.10",
            // 6to4 (RFC 3056): 2002:WWXX:YYZZ::/48
            "2002:7f00:1::",
            "2002:7f00:0001:0000:0000:0000:0000:0001",
            "2002:a00:1::1",
            "2002:c0a8:101::1",
            "2002:a9fe:a9fe::1",
            // Teredo (RFC 4380): client address inverted in the last 32 bits
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // client 127.0.0.1
            "2001:0:4136:e378:8000:63bf:f5ff:fffe", // client 10.0.0.1
            "2001:0:a00:1:8000:63bf:3fd5:ff4f",     // server 10.0.0.1
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // RFC 4380's example, client 192.0.2.45
        ];
        for ip in refused {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip} should be refused");
        }
        let allowed = [
            "::ffff:93.184.216.34",
            "64:ff9b::93.184.216.34",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
            "2001:0:4136:e378:8000:63bf:3fd5:ff4f", // server 65.54.227.120, client 192.42.0.176
        ];
        for ip in allowed {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }

    #[test]
    fn redirects_resolve() {
        let base: Uri = "https://a.example/x/y".parse().unwrap();
        assert_eq!(
            resolve(&base, "/z").unwrap().to_string(),
            "https://a.example/z"
        );
        assert_eq!(
            resolve(&base, "http://b.example/").unwrap().to_string(),
            "http://b.example/"
        );
    }
}

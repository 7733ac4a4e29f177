//! Extractors: who is visiting ([`Visitor`]), from where ([`ClientIp`]), and
//! forms that are checked for a CSRF token and well-formed UTF-8 before any
//! handler sees them ([`CsrfForm`]).

use crate::AppState;
use crate::error::PageError;
use crate::middleware::{CsrfToken, SESSION_COOKIE, cookie_value};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::AppError;
use convene_app::accounts::{SignedIn, resolve_session};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// The address a request came from: the socket's peer, or the last
/// `X-Forwarded-For` entry (the one the trusted proxy itself added; earlier
/// entries are whatever the client claimed) when the site trusts its proxy.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        if state.config.trust_proxy
            && let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
        {
            return Ok(ClientIp(first.trim().to_owned()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        Ok(ClientIp(peer))
    }
}

/// Who is looking: maybe a signed-in person, always a CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The signed-in person, if any.
    pub signed_in: Option<SignedIn>,
    /// The token to put in every form.
    pub csrf: String,
    /// The session cookie's secret, if a live session was found.
    pub session_token: Option<String>,
}

impl Visitor {
    /// The signed-in person, or a "please sign in" error.
    pub fn require(&self) -> Result<&SignedIn, PageError> {
        self.signed_in.as_ref().ok_or(PageError(AppError::Denied(
            convene_domain::Denied::NotSignedIn,
        )))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor
where
    AppState: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let name = SESSION_COOKIE.name(state.svc.site.is_https());
        let mut signed_in = None;
        let mut session_token = None;
        if let Some(token) = cookie_value(&parts.headers, name) {
            signed_in = resolve_session(&state.svc, &token).await?;
            if signed_in.is_some() {
                session_token = Some(token);
            }
        }
        Ok(Visitor {
            signed_in,
            csrf,
            session_token,
        })
    }
}

/// A form with no fields but the CSRF token (a button that does one thing).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// A form body (`application/x-www-form-urlencoded`) whose `csrf` field
/// matched the visitor's CSRF cookie, parsed into `T`.
pub struct CsrfForm<T>(pub T);

/// Why a form was refused before reaching its handler.
#[derive(Debug)]
pub struct FormRejection {
    status: StatusCode,
    message: &'static str,
}

impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        crate::pages::error_page(self.status, self.message)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(FormRejection {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: "This address only accepts forms sent from the site's own pages.",
            });
        }
        let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone());
        let fresh = req.extensions().get::<CsrfToken>().is_some_and(|t| t.1);
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| FormRejection {
                status: e.status(),
                message: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "That form is too large. Shorten the text and try again."
                } else {
                    "The form could not be read. Go back, reload the page and try again."
                },
            })?;
        let pairs = decode_pairs(&body).ok_or(FormRejection {
            status: StatusCode::BAD_REQUEST,
            message: "The form contained text that is not valid UTF-8. Check what you pasted and try again.",
        })?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        match (expected, sent) {
            (Some(expected), Some(sent))
                if !fresh && !expected.is_empty() && constant_time_eq(&expected, sent) => {}
            _ => {
                return Err(FormRejection {
                    status: StatusCode::FORBIDDEN,
                    message: "This form has expired or was not sent from this site's own page. Go back, reload the page and try again.",
                });
            }
        }
        let value = serde_urlencoded::from_bytes(&body).map_err(|_| FormRejection {
            status: StatusCode::BAD_REQUEST,
            message: "The form was incomplete or malformed. Go back, reload the page and try again.",
        })?;
        Ok(CsrfForm(value))
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Splits and percent-decodes a form body; `None` if any name or value is
/// not valid UTF-8 once decoded (instead of silently replacing bytes).
pub fn decode_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut it = part.splitn(2, |b| *b == b'=');
        let k = percent_decode(it.next().unwrap_or_default())?;
        let v = percent_decode(it.next().unwrap_or_default())?;
        out.push((k, v));
    }
    Some(out)
}

fn percent_decode(input: &[u8]) -> Option<String> {
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = input.get(i + 1..i + 3)?;
                let s = std::str::from_utf8(hex).ok()?;
                bytes.push(u8::from_str_radix(s, 16).ok()?);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_refuses_bad_utf8() {
        assert_eq!(
            decode_pairs(b"a=1&name=Zo%C3%AB+Ng&csrf=x").unwrap(),
            vec![
                ("a".into(), "1".into()),
                ("name".into(), "Zoë Ng".into()),
                ("csrf".into(), "x".into())
            ]
        );
        assert!(decode_pairs(b"name=%FF%FE").is_none());
        assert!(decode_pairs(b"name=\xff").is_none());
        assert!(decode_pairs(b"name=%G1").is_none());
        assert!(decode_pairs(b"name=%4").is_none());
    }
}

//! STARTTLS and implicit TLS against the test server, with a certificate
//! for `localhost` signed by a made-up authority (tests/fixtures).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, start};
use convene_relay::{Envelope, Error, Relay, RelayConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

const MESSAGE: &[u8] = b"Subject: sealed\r\n\r\nOver TLS.\r\n";

fn server_tls() -> Arc<rustls::ServerConfig> {
    let cert = CertificateDer::from_pem_slice(include_bytes!("fixtures/relay.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/relay.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap(),
    )
}

fn test_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(include_bytes!("fixtures/ca.pem")).unwrap())
        .unwrap();
    roots
}

fn relay(url: &str) -> Relay {
    let config = RelayConfig::from_url(url)
        .unwrap()
        .trusting(test_roots())
        .unwrap();
    Relay::new(config, 1)
}

fn envelope() -> Envelope {
    Envelope::new("s@list.example", &["ann@x.example"]).unwrap()
}

#[tokio::test]
async fn starttls_when_required_encrypts_before_mail_and_says_ehlo_again() {
    let server = start(Script {
        pipelining: true,
        tls: Some(server_tls()),
        ..Script::default()
    })
    .await;
    let url = format!("smtp://localhost:{}/client.test?tls=required", server.port);
    relay(&url).send(&envelope(), MESSAGE).await.unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(
        log.commands[..3],
        ["EHLO client.test", "STARTTLS", "EHLO client.test"]
    );
    // The server took TLS after two commands, and read MAIL FROM and the
    // message through it.
    assert_eq!(log.tls_after, Some(2));
    assert!(log.commands[3].starts_with("MAIL FROM:"));
    assert_eq!(log.messages[0].data, MESSAGE);
}

#[tokio::test]
async fn smtps_speaks_tls_from_the_first_byte() {
    let server = start(Script {
        pipelining: true,
        tls: Some(server_tls()),
        implicit_tls: true,
        ..Script::default()
    })
    .await;
    let url = format!("smtps://localhost:{}/client.test", server.port);
    relay(&url).send(&envelope(), MESSAGE).await.unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(log.tls_after, Some(0));
    assert_eq!(log.commands[0], "EHLO client.test");
    assert_eq!(log.messages[0].data, MESSAGE);
}

#[tokio::test]
async fn required_tls_without_starttls_on_offer_sends_nothing() {
    let server = start(Script {
        pipelining: true,
        ..Script::default()
    })
    .await;
    let url = format!("smtp://localhost:{}/client.test?tls=required", server.port);
    let err = relay(&url).send(&envelope(), MESSAGE).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "TLS with the relay failed: the relay does not offer STARTTLS, and the URL requires it"
    );
    assert!(!err.is_permanent());
    assert_eq!(server.log.lock().unwrap().count("MAIL"), 0);

    // Opportunistic TLS goes on in plain text.
    let url = format!(
        "smtp://localhost:{}/client.test?tls=opportunistic",
        server.port
    );
    relay(&url).send(&envelope(), MESSAGE).await.unwrap();
    assert_eq!(server.log.lock().unwrap().messages.len(), 1);
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused() {
    let server = start(Script {
        pipelining: true,
        tls: Some(server_tls()),
        ..Script::default()
    })
    .await;
    // The Mozilla roots do not know the test authority.
    let url = format!("smtp://localhost:{}/client.test?tls=required", server.port);
    let relay = Relay::new(RelayConfig::from_url(&url).unwrap(), 1);
    let err = relay.send(&envelope(), MESSAGE).await.unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    assert!(!err.is_permanent());
    assert_eq!(server.log.lock().unwrap().count("MAIL"), 0);
}

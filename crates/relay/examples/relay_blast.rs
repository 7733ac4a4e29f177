//! Sends COPIES one-recipient copies of a small message over CONNECTIONS
//! connections to the relay at URL and prints copies/s: the relay client
//! alone, without convene's fan-out around it (see bench/README.md).
//!
//!     cargo run --release -p convene-relay --example relay_blast -- smtp://127.0.0.1:2525 10000 8

use convene_relay::{Envelope, RecipientOutcome, Relay, RelayConfig};
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: relay_blast URL [COPIES] [CONNECTIONS]")?;
    let copies: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let relay = Arc::new(Relay::new(RelayConfig::from_url(&url)?, connections));
    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..copies {
        let relay = relay.clone();
        sends.spawn(async move {
            let envelope = Envelope::new(
                &format!("bench-list-bounces+t{i}@lists.example.org"),
                &[format!("member-{i}@sink.example.net")],
            )?;
            let message = format!(
                "From: poster@example.org\r\nTo: bench-list@lists.example.org\r\nSubject: copy {i}\r\n\r\nBody of copy {i}.\r\n"
            );
            let sent = relay.send(&envelope, message.as_bytes()).await?;
            Ok::<bool, convene_relay::Error>(sent.outcomes == [RecipientOutcome::Accepted])
        });
    }
    let mut accepted = 0;
    while let Some(done) = sends.join_next().await {
        if done?? {
            accepted += 1;
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "{accepted} of {copies} copies accepted over {connections} connections in {took:.2} s: {:.0} copies/s",
        copies as f64 / took
    );
    relay.close().await;
    Ok(())
}

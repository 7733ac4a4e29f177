//! convene's SMTP client: hands finished messages to a relay.
//!
//! A [`Relay`] keeps a pool of connections to the relay named by a URL
//! ([`RelayConfig::from_url`]) and sends each message in one transaction:
//! with `TCP_NODELAY` on every socket, and, where the relay offers
//! PIPELINING (RFC 2920), `MAIL FROM`, every `RCPT TO` and `DATA` in one
//! write, so a copy costs two round trips and no delayed-ACK wait. Each
//! recipient gets its own answer ([`RecipientOutcome`]); a failed
//! transaction is reset and its connection kept; a connection the relay
//! closed is replaced. The message bytes go out exactly as given
//! (dot-stuffed on the wire), the message's own final line break being the
//! first of the `CRLF.CRLF` that ends the data.
//!
//! Building messages is not this crate's business: it takes bytes.

mod address;
mod config;
mod dot;
mod error;
mod pool;
mod reply;
mod session;
mod stream;

pub use address::Envelope;
pub use config::{RelayConfig, Security};
pub use error::Error;
pub use pool::{Relay, Sent};
pub use reply::{RecipientOutcome, Reply};

//! Why a message did not reach the relay, and whether trying again can help.

use crate::reply::Reply;
use std::time::Duration;

/// A failed send (or a relay URL that cannot be used).
///
/// [`Error::is_permanent`] tells the message's own faults (a bad address,
/// too large, refused with a 5xx) from the relay's passing trouble
/// (unreachable, timed out, closed, 4xx), which a later try may get past.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The relay URL cannot be used.
    #[error("bad relay URL: {0}")]
    Url(String),
    /// An envelope address cannot be sent as it is.
    #[error("bad address {address:?}: {why}")]
    Address {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The message is larger than the relay's SIZE limit (RFC 1870).
    #[error("the message is {size} bytes and the relay takes at most {limit}")]
    TooBig {
        /// The message's size.
        size: usize,
        /// What the relay announced.
        limit: u64,
    },
    /// The message needs an extension the relay does not offer.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The relay could not be reached.
    #[error("cannot reach the relay at {address}: {why}")]
    Connect {
        /// host:port.
        address: String,
        /// The system's reason.
        why: String,
    },
    /// The relay did not answer in time.
    #[error("the relay did not answer {command} within {} s", .after.as_secs_f32())]
    Timeout {
        /// What was waiting for an answer.
        command: &'static str,
        /// How long it waited.
        after: Duration,
    },
    /// The relay closed the connection.
    #[error("the relay closed the connection during {0}")]
    Closed(&'static str),
    /// Reading from or writing to the relay failed.
    #[error("the connection to the relay failed during {command}: {source}")]
    Io {
        /// What was being sent or awaited.
        command: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// Setting up TLS with the relay failed.
    #[error("TLS with the relay failed: {0}")]
    Tls(String),
    /// The relay answered a command with a refusal.
    #[error("the relay answered {command} with {reply}")]
    Refused {
        /// The command refused.
        command: &'static str,
        /// The relay's answer.
        reply: Reply,
    },
    /// The relay's answer is not SMTP.
    #[error("the relay's answer cannot be read: {0}")]
    Protocol(String),
}

impl Error {
    /// True when trying the same message again cannot succeed: the message
    /// or its envelope is at fault, or the relay refused it for good (5xx).
    /// The relay's own trouble (unreachable, timeouts, a refused greeting,
    /// EHLO, STARTTLS or AUTH) is not the message's fault and stays worth
    /// another try once it is fixed.
    pub fn is_permanent(&self) -> bool {
        match self {
            Error::Url(_)
            | Error::Address { .. }
            | Error::TooBig { .. }
            | Error::Unsupported(_) => true,
            Error::Refused { command, reply } => {
                reply.is_permanent() && matches!(*command, "MAIL FROM" | "DATA" | "the message")
            }
            _ => false,
        }
    }

    /// True when the connection can no longer be used after this error.
    pub(crate) fn breaks_connection(&self) -> bool {
        match self {
            Error::Timeout { .. }
            | Error::Closed(_)
            | Error::Io { .. }
            | Error::Tls(_)
            | Error::Protocol(_)
            | Error::Connect { .. } => true,
            Error::Refused { reply, .. } => reply.code == 421,
            _ => false,
        }
    }
}

//! The error every validating constructor in the domain returns.

/// A value a person typed (or a client sent) that the domain refuses.
///
/// `field` names the form field or JSON property, `message` says what to do
/// about it in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidInput {
    /// The field the value came from, as named in forms and the API.
    pub field: &'static str,
    /// What is wrong, phrased for the person who sent it.
    pub message: String,
}

impl InvalidInput {
    /// A refusal of the value in `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// True if `s` holds a control character (CR, LF, NUL, TAB, DEL, ...).
///
/// Such characters are how header injection and log forging work, so no
/// single-line value in convene may contain one.
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

//! Signing up, in and out, confirming an address, emailed sign-in links and
//! password resets.

mod links;
mod password;
mod signin;
mod signup;

pub use links::{
    magic_confirm, magic_confirm_form, magic_form, magic_request, verify, verify_form,
};
pub use password::{forgot, forgot_form, reset, reset_form};
pub use signin::{signin, signin_form, signout};
pub use signup::{signup, signup_form};

use super::{FormErrors, PageCtx};
use askama::Template;

/// A page with one button that uses an emailed link. Opening the link only
/// shows the button, so mail scanners that fetch links do not spend them.
#[derive(Template)]
#[template(path = "auth/confirm_link.html")]
pub(crate) struct ConfirmLink {
    pub ctx: PageCtx,
    pub intro: &'static str,
    pub action: String,
    pub button: &'static str,
}

/// A form that asks only for an address (sign-in link, forgotten password).
#[derive(Template)]
#[template(path = "auth/email_only.html")]
pub(crate) struct EmailOnly {
    pub ctx: PageCtx,
    pub intro: &'static str,
    pub action: &'static str,
    pub button: &'static str,
    pub email: String,
    pub errors: FormErrors,
}

/// "Check your email", shown after anything that sends a link.
#[derive(Template)]
#[template(path = "auth/email_sent.html")]
pub(crate) struct EmailSent {
    pub ctx: PageCtx,
    pub message: &'static str,
}

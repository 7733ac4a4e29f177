//! Accounts: sign-up, address verification, sign-in by password or by link,
//! password reset, sessions and API tokens.

//! Invitations.

//! Markdown for pages: the renderer lives with the use-cases (posts and
//! comments are rendered once when saved); pages use it from here.

pub use convene_app::markdown::*;

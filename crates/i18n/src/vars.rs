//! The variables a Fluent pattern uses, for the completeness check and for
//! filling in a variable the caller forgot.

use fluent_syntax::ast::{CallArguments, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::BTreeSet;

/// Adds the names of the variables `pattern` refers to (`$name` → `name`)
/// to `out`, including those inside selectors, variants and function calls.
pub(crate) fn pattern_variables<S: AsRef<str>>(pattern: &Pattern<S>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables<S: AsRef<str>>(expression: &Expression<S>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, out),
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
    }
}

fn inline_variables<S: AsRef<str>>(inline: &InlineExpression<S>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.as_ref().to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            arguments_variables(arguments, out);
        }
        // A term's arguments are its own parameters; variables passed on
        // to it are still the message's.
        InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => arguments_variables(arguments, out),
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

fn arguments_variables<S: AsRef<str>>(arguments: &CallArguments<S>, out: &mut BTreeSet<String>) {
    for positional in &arguments.positional {
        inline_variables(positional, out);
    }
    for named in &arguments.named {
        inline_variables(&named.value, out);
    }
}

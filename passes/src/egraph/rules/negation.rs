//! `not` over identity and membership tests, which CPython's AST optimizer applies
//! to source but which constant propagation can expose again in bytecode.

use egg::rewrite as rw;

use super::Rewrite;

/// `not (a is b)` is `a is not b` and `not (a in b)` is `a not in b`, for any
/// operands: both tests return exact bools and the negated opcode runs the very
/// same `__contains__`. (`not (a < b)` is *not* `a >= b`.)
#[rustfmt::skip]
pub fn negation() -> Vec<Rewrite> {
    vec![
        rw!("not-is";      "(not (is ?a ?b))"      => "(is-not ?a ?b)"),
        rw!("not-is-not";  "(not (is-not ?a ?b))"  => "(is ?a ?b)"),
        rw!("not-in";      "(not (in ?a ?b))"      => "(not-in ?a ?b)"),
        rw!("not-not-in";  "(not (not-in ?a ?b))"  => "(in ?a ?b)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::proves;
    use super::super::{all, truth};
    use super::*;

    #[test]
    fn negated_identity_and_membership() {
        let r = negation();
        assert!(proves(&r, "(not (is $0 $1))", "(is-not $0 $1)"));
        assert!(proves(&r, "(not (is-not $0 $1))", "(is $0 $1)"));
        assert!(proves(
            &r,
            "(not (in $0 (tuple $1 $2)))",
            "(not-in $0 (tuple $1 $2))"
        ));
        assert!(proves(&r, "(not (not-in $0 $1))", "(in $0 $1)"));
        // With the truth rules: three negations are one.
        let mut r2 = truth();
        r2.extend(negation());
        assert!(proves(
            &r2,
            "(not (not (not (is $0 $1))))",
            "(is-not $0 $1)"
        ));
    }

    #[test]
    fn orderings_and_equality_are_not_negated() {
        let r = all();
        assert!(!proves(&r, "(not (< $0 $1))", "(>= $0 $1)"));
        assert!(!proves(&r, "(not (== $0 $1))", "(!= $0 $1)"));
        assert!(!proves(&r, "(not (<! $0 $1))", "(>=! $0 $1)"));
        // `x is x` is not known: two evaluations, maybe two objects.
        assert!(!proves(&r, "(is $0 $0)", "(is-not $0 $0)"));
    }
}

//! Truth tests of values that are already bools.

use egg::rewrite as rw;

use super::{is_bool, Rewrite};

/// `not not b` and `bool(b)` are `b` when `b` is certainly a bool (a comparison's
/// result may be any object, so only `not`, `is`, `in`, `bool()` and 3.13's
/// bool-result comparisons qualify).
#[rustfmt::skip]
pub fn truth() -> Vec<Rewrite> {
    vec![
        rw!("not-not-bool";  "(not (not ?b))"  => "?b"  if is_bool("?b")),
        rw!("bool-of-bool";  "(bool ?b)"       => "?b"  if is_bool("?b")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::proves;
    use super::*;

    #[test]
    fn double_negation_of_a_bool_goes() {
        let r = truth();
        assert!(proves(&r, "(not (not (is $0 $1)))", "(is $0 $1)"));
        assert!(proves(&r, "(bool (in $0 $1))", "(in $0 $1)"));
        assert!(proves(&r, "(bool (not $0))", "(not $0)"));
        assert!(proves(&r, "(not (not (<! $0 $1)))", "(<! $0 $1)"));
    }

    #[test]
    fn truth_tests_of_unknown_values_stay() {
        let r = truth();
        // `not not x` is bool(x): x may be any object.
        assert!(!proves(&r, "(not (not $0))", "$0"));
        assert!(!proves(&r, "(bool $0)", "$0"));
        // A plain comparison may return anything (numpy arrays, sets...).
        assert!(!proves(&r, "(not (not (< $0 $1)))", "(< $0 $1)"));
        assert!(!proves(&r, "(bool (== $0 $1))", "(== $0 $1)"));
    }
}

//! Python's `repr()` of floats and complex numbers.
//!
//! Python (2.7 and 3.x alike) prints the shortest digit string that reads back to
//! the same double (`format_float_short` with mode `'r'`). Rust's `{:e}` formatting
//! of `f64` gives that same shortest round-trip digit string; only the layout
//! differs, and is redone here by Python's rules: fixed notation while the decimal
//! point position `decpt` satisfies `-4 < decpt <= 16`, else exponent notation with
//! a sign and at least two exponent digits (`1e+16`, `1e-05`).

/// How one float is laid out.
#[derive(Clone, Copy)]
struct Style {
    /// Append `.0` to an integral value in fixed notation (`repr(1.0)`; a complex
    /// part is `1j`, not `1.0j`).
    add_dot_0: bool,
    /// Always write a sign (`+1`, `+nan`), as for the imaginary part of a complex.
    sign: bool,
}

fn format_short(x: f64, style: Style) -> String {
    let mut out = String::new();
    if x.is_nan() {
        if style.sign {
            out.push('+');
        }
        out.push_str("nan");
        return out;
    }
    if x.is_sign_negative() {
        out.push('-');
    } else if style.sign {
        out.push('+');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return out;
    }
    let (digits, exp) = shortest_digits(x.abs());
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", e.unsigned_abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..-decpt {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let d = decpt as usize;
        if d >= digits.len() {
            out.push_str(&digits);
            for _ in digits.len()..d {
                out.push('0');
            }
            if style.add_dot_0 {
                out.push_str(".0");
            }
        } else {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        }
    }
    out
}

/// Splits Rust's `{:e}` text into its digits and decimal exponent.
fn split_sci(sci: &str) -> (String, i32) {
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an int");
    (mantissa.chars().filter(|c| *c != '.').collect(), exp)
}

/// The shortest digits that read back as `x` (finite, `x >= 0`), and the decimal
/// exponent of the first digit.
///
/// When two digit strings of that length are equally close to `x`, Python's
/// `dtoa` takes the one with an even last digit (`2**-25` is
/// `2.9802322387695312e-08`) while Rust's shortest formatting rounds the tie up
/// (`…313`). Rust's fixed-precision formatting rounds ties to even, so the length
/// found by the shortest formatting is formatted again at that precision, and that
/// result is kept when it still reads back as `x`.
fn shortest_digits(x: f64) -> (String, i32) {
    let (digits, exp) = split_sci(&format!("{x:e}"));
    if digits.len() < 2 {
        return (digits, exp);
    }
    let exact = format!("{:.*e}", digits.len() - 1, x);
    if exact.parse::<f64>().ok() == Some(x) {
        return split_sci(&exact);
    }
    (digits, exp)
}

/// Python's `repr(x)` of a float (the same in 2.7 and every 3.x).
///
/// ```
/// use pycopt_core::pyrepr::repr_float;
/// assert_eq!(repr_float(0.1), "0.1");
/// assert_eq!(repr_float(1e16), "1e+16");
/// assert_eq!(repr_float(1e15), "1000000000000000.0");
/// assert_eq!(repr_float(1e-5), "1e-05");
/// assert_eq!(repr_float(-0.0), "-0.0");
/// assert_eq!(repr_float(f64::NAN), "nan");
/// assert_eq!(repr_float(f64::NEG_INFINITY), "-inf");
/// ```
pub fn repr_float(x: f64) -> String {
    format_short(
        x,
        Style {
            add_dot_0: true,
            sign: false,
        },
    )
}

/// Python's `repr(complex(re, im))` (the same in 2.7 and every 3.x): only the
/// imaginary part when the real part is `+0.0`, else both in parentheses.
///
/// ```
/// use pycopt_core::pyrepr::repr_complex;
/// assert_eq!(repr_complex(0.0, 1.0), "1j");
/// assert_eq!(repr_complex(0.0, -0.0), "-0j");
/// assert_eq!(repr_complex(-0.0, 1.0), "(-0+1j)");
/// assert_eq!(repr_complex(1.0, 2.5), "(1+2.5j)");
/// assert_eq!(repr_complex(f64::NAN, f64::INFINITY), "(nan+infj)");
/// ```
pub fn repr_complex(re: f64, im: f64) -> String {
    let plain = Style {
        add_dot_0: false,
        sign: false,
    };
    if re == 0.0 && re.is_sign_positive() {
        return format!("{}j", format_short(im, plain));
    }
    format!(
        "({}{}j)",
        format_short(re, plain),
        format_short(
            im,
            Style {
                add_dot_0: false,
                sign: true
            }
        )
    )
}

/// The value of a float written as text (marshal `f` and `x` payloads, which old
/// marshal versions write with `repr` or `%.17g`): what CPython's
/// `PyOS_string_to_double` reads. Unparsable text gives NaN.
pub fn parse_float_text(raw: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(raw);
    let t = text.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let v = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => body.parse::<f64>().unwrap_or(f64::NAN),
    };
    if neg {
        -v
    } else {
        v
    }
}

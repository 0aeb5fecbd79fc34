//! Student's paired t-test, as `scipy.stats.ttest_rel`, with the special functions it needs.

use serde::{Deserialize, Serialize};

/// Student's t-test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedTest {
    /// The t statistic (±∞ when every difference is the same non-zero value).
    pub t: f64,
    /// Degrees of freedom (`n − 1`).
    pub df: usize,
    /// Two-sided p-value.
    pub p: f64,
}

/// Student's paired t-test of `a − b` (two-sided), as `scipy.stats.ttest_rel(a, b)`. `None` with
/// fewer than 2 pairs or unequal lengths. When every difference is equal the spread is zero: p =
/// 1 if they are all zero, else p = 0 (t = ±∞).
///
/// ```
/// let t = engine::race::paired_t_test(&[0.91, 0.93, 0.90], &[0.85, 0.88, 0.86]).unwrap();
/// assert_eq!(t.df, 2);
/// assert!((t.p - 0.01307).abs() < 1e-4);
/// ```
pub fn paired_t_test(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let df = d.len() - 1;
    if !mean.is_finite() || !var.is_finite() {
        return None;
    }
    // Differences equal up to rounding count as equal.
    if var.sqrt() <= 1e-12 * mean.abs().max(1e-300) || var == 0.0 {
        return Some(if mean == 0.0 {
            PairedTest { t: 0.0, df, p: 1.0 }
        } else {
            PairedTest {
                t: f64::INFINITY.copysign(mean),
                df,
                p: 0.0,
            }
        });
    }
    let t = mean / (var / n).sqrt();
    Some(PairedTest {
        t,
        df,
        p: t_two_sided(t, df as f64),
    })
}

/// `P(|T| ≥ |t|)` for Student's t with `df` degrees of freedom: `I_{df/(df+t²)}(df/2, 1/2)`.
///
/// ```
/// let p = engine::race::t_two_sided(1.96, 1e6);
/// assert!((p - 0.05).abs() < 1e-3);
/// ```
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    incomplete_beta(x, df / 2.0, 0.5).clamp(0.0, 1.0)
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, 9 terms; relative error below 1e-14).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return std::f64::consts::PI.ln()
            - (std::f64::consts::PI * x).sin().abs().ln()
            - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)` (continued fraction, Lentz's method).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / away_from_zero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let delta = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// One term `aa` of the continued fraction into Lentz's `c` and `d`; answers the factor `d · c`
/// the fraction's value is multiplied by.
fn lentz_step(aa: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = 1.0 / away_from_zero(1.0 + aa * *d);
    *c = away_from_zero(1.0 + aa / *c);
    *d * *c
}

/// `v`, or a tiny number in its place when it is (nearly) zero, so that Lentz's divisions stay
/// finite.
fn away_from_zero(v: f64) -> f64 {
    const TINY: f64 = 1e-300;
    if v.abs() < TINY {
        TINY
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{floats, reference};

    #[test]
    fn t_tail_matches_scipy() {
        let r = reference("race");
        let mut worst = 0.0_f64;
        for case in r["t_two_sided"].as_array().unwrap() {
            let (t, df, want) = (
                case["t"].as_f64().unwrap(),
                case["df"].as_f64().unwrap(),
                case["p"].as_f64().unwrap(),
            );
            let got = t_two_sided(t, df);
            let err = (got - want).abs() / want.max(1e-300);
            assert!(
                err < 1e-9 || (got - want).abs() < 1e-15,
                "t={t} df={df}: {got} vs scipy {want}"
            );
            worst = worst.max((got - want).abs());
        }
        assert!(worst < 1e-10, "{worst}");
    }

    #[test]
    fn paired_test_matches_scipy_ttest_rel() {
        for case in reference("race")["ttest_rel"].as_array().unwrap() {
            let (a, b) = (floats(&case["a"]), floats(&case["b"]));
            let got = paired_t_test(&a, &b).unwrap();
            assert_eq!(got.df as u64, case["df"].as_u64().unwrap());
            let (t, p) = (case["t"].as_f64().unwrap(), case["p"].as_f64().unwrap());
            assert!(
                (got.t - t).abs() < 1e-8 * t.abs().max(1.0),
                "{} vs {t}",
                got.t
            );
            assert!((got.p - p).abs() < 1e-9, "{} vs {p}", got.p);
        }
    }

    #[test]
    fn paired_test_edge_cases() {
        assert_eq!(paired_t_test(&[0.5], &[0.4]), None);
        assert_eq!(paired_t_test(&[0.5, 0.6], &[0.4]), None);
        let same = paired_t_test(&[0.5, 0.6], &[0.5, 0.6]).unwrap();
        assert_eq!((same.t, same.p), (0.0, 1.0));
        let shifted = paired_t_test(&[0.6, 0.7], &[0.5, 0.6]).unwrap();
        assert_eq!(shifted.p, 0.0);
        assert!(shifted.t.is_infinite() && shifted.t > 0.0);
        assert!(paired_t_test(&[f64::NAN, 0.1], &[0.0, 0.0]).is_none());
    }
}

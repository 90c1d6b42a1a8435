//! The statistics of drift: population stability index and what it comes to between two
//! samples of one population, the two-sample Kolmogorov–Smirnov test, Pearson's chi-squared
//! test of homogeneity, p-values, and the Benjamini–Hochberg adjustment over many tests.

/// Share given to an empty bin in the PSI, so that its logarithm stays finite (the usual
/// convention of credit-risk monitoring).
pub const PSI_FLOOR: f64 = 1e-4;

/// Smallest p-value a report writes as a number: below it a double cannot tell the tail
/// probability from zero (it underflows), so the report gives this bound instead and says so.
pub const P_VALUE_FLOOR: f64 = 1e-300;

/// Population stability index of two distributions over the same bins (counts):
/// `Σ (c − r) ln(c / r)` over the shares `r` (reference) and `c` (current), each share at
/// least [`PSI_FLOOR`]. Zero for identical shares; 0.1 and 0.25 are the usual bounds of
/// "moderate" and "drifted".
pub fn psi(reference: &[u64], current: &[u64]) -> f64 {
    let total = |counts: &[u64]| counts.iter().sum::<u64>().max(1) as f64;
    let (reference_total, current_total) = (total(reference), total(current));
    reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let r = (r as f64 / reference_total).max(PSI_FLOOR);
            let c = (c as f64 / current_total).max(PSI_FLOOR);
            (c - r) * (c / r).ln()
        })
        .sum()
}

/// The PSI two samples of one population give on average: `(k − 1) (1/n + 1/m)` for `k` bins
/// holding a client of either sample, `n` and `m` clients. Near each bin's share `p`, the PSI
/// term is about `(c − r)² / p`, whose mean is `p (1 − p) (1/n + 1/m) / p`; summed over the
/// bins that gives the formula (a sum of `k − 1` chi-squared degrees of freedom). Bins too
/// rare for that approximation make it an overestimate, which errs towards calling a shift
/// chance.
pub fn expected_psi(reference: &[u64], current: &[u64]) -> f64 {
    let (n, m) = (reference.iter().sum::<u64>(), current.iter().sum::<u64>());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let bins = reference.iter().zip(current).filter(|&(&r, &c)| r + c > 0).count();
    bins.saturating_sub(1) as f64 * (1.0 / n as f64 + 1.0 / m as f64)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the order given: the `i`-th smallest
/// of `N` p-values becomes `min over j ≥ i of p₍ⱼ₎ N / j`, at most 1. Calling the tests whose
/// q-value is below α significant keeps the expected share of false discoveries among them
/// at α or less (scipy's `false_discovery_control(p, method='bh')`).
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let total = p_values.len();
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![1.0; total];
    let mut smallest: f64 = 1.0;
    for (position, &index) in order.iter().enumerate().rev() {
        smallest = smallest.min(p_values[index] * total as f64 / (position + 1) as f64);
        adjusted[index] = smallest;
    }
    adjusted
}

/// The two-sample Kolmogorov–Smirnov statistic of two increasing samples: the largest gap
/// between their empirical distribution functions.
pub fn ks_statistic(reference: &[f64], current: &[f64]) -> f64 {
    let (n, m) = (reference.len(), current.len());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut largest) = (0, 0, 0.0_f64);
    while i < n && j < m {
        // Step past every copy of the next value in both samples before comparing.
        let value = reference[i].min(current[j]);
        while i < n && reference[i] <= value {
            i += 1;
        }
        while j < m && current[j] <= value {
            j += 1;
        }
        largest = largest.max((i as f64 / n as f64 - j as f64 / m as f64).abs());
    }
    largest
}

/// The asymptotic p-value of a two-sample KS statistic `d` for samples of `n` and `m`:
/// Kolmogorov's limiting distribution at `d √(n m / (n + m))` (scipy's `kstwobign.sf`),
/// accurate for the sample sizes of client tables.
pub fn ks_p_value(d: f64, n: usize, m: usize) -> f64 {
    if n == 0 || m == 0 {
        return 1.0;
    }
    let effective = (n as f64 * m as f64) / (n + m) as f64;
    kolmogorov_sf(d * effective.sqrt())
}

/// `P(K > x)` for Kolmogorov's distribution.
fn kolmogorov_sf(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x < 1.0 {
        // P(K ≤ x) = √(2π) / x Σ exp(−(2k − 1)² π² / (8 x²)), quick for small x.
        let factor = -std::f64::consts::PI.powi(2) / (8.0 * x * x);
        let sum: f64 = (1..=20).map(|k: i32| (f64::from((2 * k - 1).pow(2)) * factor).exp()).sum();
        return (1.0 - (2.0 * std::f64::consts::PI).sqrt() / x * sum).clamp(0.0, 1.0);
    }
    // P(K > x) = 2 Σ (−1)^(k−1) exp(−2 k² x²).
    let sum: f64 = (1..=100)
        .map(|k: i32| {
            let term = (-2.0 * f64::from(k * k) * x * x).exp();
            if k % 2 == 1 { term } else { -term }
        })
        .sum();
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Pearson's chi-squared test of homogeneity on two rows of counts (reference, current) over
/// the same categories, without continuity correction: `(statistic, degrees of freedom,
/// p-value)`. Categories empty in both rows are left out.
pub fn chi_squared(reference: &[u64], current: &[u64]) -> (f64, usize, f64) {
    let columns: Vec<(f64, f64)> =
        reference.iter().zip(current).filter(|&(&r, &c)| r + c > 0).map(|(&r, &c)| (r as f64, c as f64)).collect();
    let (row_r, row_c) = columns.iter().fold((0.0, 0.0), |(a, b), &(r, c)| (a + r, b + c));
    let total = row_r + row_c;
    if columns.len() < 2 || row_r == 0.0 || row_c == 0.0 {
        return (0.0, 0, 1.0);
    }
    let statistic: f64 = columns
        .iter()
        .map(|&(r, c)| {
            let column = r + c;
            let (expected_r, expected_c) = (row_r * column / total, row_c * column / total);
            (r - expected_r).powi(2) / expected_r + (c - expected_c).powi(2) / expected_c
        })
        .sum();
    let dof = columns.len() - 1;
    (statistic, dof, chi_squared_sf(statistic, dof))
}

/// `P(X > x)` for a chi-squared variable with `dof` degrees of freedom: the regularised upper
/// incomplete gamma function `Q(dof / 2, x / 2)`.
pub fn chi_squared_sf(x: f64, dof: usize) -> f64 {
    if dof == 0 {
        return 1.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(dof as f64 / 2.0, x / 2.0)
}

/// The regularised upper incomplete gamma function, by its series below `a + 1` and its
/// continued fraction above (Numerical Recipes, §6.2), to about 1e-15.
fn gamma_q(a: f64, x: f64) -> f64 {
    let log_prefix = a * x.ln() - x - libm::lgamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut denominator) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            denominator += 1.0;
            term *= x / denominator;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).clamp(0.0, 1.0)
    } else {
        // Lentz's method.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-300)
    }

    #[test]
    fn ks_matches_scipy() {
        // scipy 1.17.1: stats.ks_2samp(a, b, method='asymp').statistic == 0.4, and
        // stats.kstwobign.sf(0.4 * sqrt(10 * 8 / 18)) == 0.4755937630041417.
        let mut a = vec![0.1, 0.5, 0.3, 0.9, 0.7, 0.2, 0.8, 0.45, 0.33, 0.61];
        let mut b = vec![0.4, 0.55, 0.95, 0.85, 1.2, 0.65, 0.75, 0.5];
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let d = ks_statistic(&a, &b);
        assert!(close(d, 0.4, 1e-12), "{d}");
        assert!(close(ks_p_value(d, 10, 8), 0.4755937630041417, 1e-9));
        // Ties across the samples: [1, 2, 2, 3] vs [2, 2, 2]: after 2, 3/4 against 3/3.
        assert!(close(ks_statistic(&[1.0, 2.0, 2.0, 3.0], &[2.0, 2.0, 2.0]), 0.25, 1e-12));
        // stats.kstwobign.sf(x) for x = 0.3, 1.0, 2.5.
        assert!(close(kolmogorov_sf(0.3), 0.9999906941986655, 1e-9));
        assert!(close(kolmogorov_sf(1.0), 0.26999967167735456, 1e-9));
        assert!(close(kolmogorov_sf(2.5), 7.453306344157342e-06, 1e-8));
    }

    #[test]
    fn chi_squared_matches_scipy() {
        // scipy: stats.chi2_contingency([[30, 15, 5], [20, 25, 10]], correction=False)
        // → statistic 5.942045454545454, p 0.05125086785900626, dof 2.
        let (statistic, dof, p) = chi_squared(&[30, 15, 5, 0], &[20, 25, 10, 0]);
        assert!(close(statistic, 5.942045454545454, 1e-12));
        assert_eq!(dof, 2);
        assert!(close(p, 0.05125086785900626, 1e-9));
        // stats.chi2.sf(3.5, 1), (120, 57), (0.01, 4), (7, 7).
        assert!(close(chi_squared_sf(3.5, 1), 0.0613688291394023, 1e-9));
        assert!(close(chi_squared_sf(120.0, 57), 2.1827929777296316e-06, 1e-8));
        assert!(close(chi_squared_sf(0.01, 4), 0.9999875415886458, 1e-9));
        assert!(close(chi_squared_sf(7.0, 7), 0.42887985755305486, 1e-9));
        assert!(chi_squared_sf(2000.0, 3) < 1e-300);
        // One category or an empty row: no test.
        assert_eq!(chi_squared(&[5], &[7]), (0.0, 0, 1.0));
        assert_eq!(chi_squared(&[5, 3], &[0, 0]), (0.0, 0, 1.0));
    }

    #[test]
    fn benjamini_hochberg_matches_scipy() {
        // scipy 1.17.1: stats.false_discovery_control([0.01, 0.04, 0.03, 0.2, 0.005, 0.5],
        // method='bh') == [0.03, 0.06, 0.06, 0.24, 0.03, 0.5].
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2, 0.005, 0.5]);
        for (q, expected) in q.iter().zip([0.03, 0.06, 0.06, 0.24, 0.03, 0.5]) {
            assert!(close(*q, expected, 1e-12), "{q} {expected}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(benjamini_hochberg(&[0.7]), vec![0.7]);
    }

    #[test]
    fn expected_psi_by_hand() {
        // Three bins hold clients (the fourth is empty in both): (3 − 1)(1/100 + 1/50) = 0.06.
        assert!(close(expected_psi(&[50, 30, 20, 0], &[10, 0, 40, 0]), 0.06, 1e-12));
        // 59 bins of 100 against 59 of 8: 58 (1/5900 + 1/472).
        let (reference, current) = (vec![100u64; 59], vec![8u64; 59]);
        let (n, m) = (59.0 * 100.0, 59.0 * 8.0);
        assert!(close(expected_psi(&reference, &current), 58.0 * (1.0 / n + 1.0 / m), 1e-12));
        assert_eq!(expected_psi(&[5, 5], &[0, 0]), 0.0);
    }

    #[test]
    fn psi_by_hand() {
        // Shares 0.5/0.5 against 0.25/0.75:
        // (0.25 − 0.5) ln(0.25 / 0.5) + (0.75 − 0.5) ln(0.75 / 0.5)
        // = 0.25 ln 2 + 0.25 ln 1.5 = 0.17328679514 + 0.10136627702 = 0.27465307216.
        assert!(close(psi(&[50, 50], &[25, 75]), 0.274653072167, 1e-9));
        assert_eq!(psi(&[10, 20, 30], &[1, 2, 3]), 0.0);
        // An empty bin counts as 1e-4: (0.5 − 1e-4) ln(0.5 / 1e-4) + (0.5 − 1) ln(0.5).
        let expected = (0.5 - 1e-4) * (0.5_f64 / 1e-4).ln() + (0.5 - 1.0) * 0.5_f64.ln();
        assert!(close(psi(&[0, 10], &[5, 5]), expected, 1e-12));
    }
}

//! The statistics behind a slogan's columns: cohesion (normalised PMI), boundary freedom,
//! Gries' deviation of proportions, and Dunning's log-likelihood with the log-ratio effect size.
//!
//! Each is a pure function of counts so that it can be tested against hand-worked numbers and
//! so that its result never depends on evaluation order or thread count.

/// Normalised pointwise mutual information of a phrase over one split `p = a·b`:
/// `log(P(p) / (P(a) P(b))) / −log P(p)`, with `P(x) = tf(x) / n`. Lies in [−1, 1]; 1 when the
/// parts never occur apart. Returns 1 for degenerate input (a phrase filling the whole corpus).
pub fn npmi(tf_p: u64, tf_a: u64, tf_b: u64, n: u64) -> f64 {
    if tf_p == 0 || tf_a == 0 || tf_b == 0 || n == 0 {
        return -1.0;
    }
    let n = n as f64;
    let p = tf_p as f64 / n;
    let pa = tf_a as f64 / n;
    let pb = tf_b as f64 / n;
    let denom = -p.ln();
    if denom <= 0.0 {
        return 1.0;
    }
    ((p / (pa * pb)).ln() / denom).clamp(-1.0, 1.0)
}

/// Boundary freedom as a share in [0, 1): `1 − e^(−H)` for the weaker side's branching entropy
/// `H` in nats. A fragment with one neighbour scores 0; ten evenly used neighbours score 0.9.
pub fn freedom(min_entropy: f64) -> f64 {
    1.0 - (-min_entropy.max(0.0)).exp()
}

/// Gries' deviation of proportions, normalised (Gries 2008; Lijffijt & Gries 2012).
///
/// `per_doc` holds `(document index, occurrences)` for the documents the phrase occurs in;
/// `doc_tokens[i]` is the size of document `i`. With `s_i` the share of corpus tokens in
/// document `i` and `v_i` the share of the phrase's occurrences there,
/// `DP = ½ Σ |v_i − s_i|`, divided by `1 − min s_i` so that 1 means "all in the smallest
/// document". 0 means spread exactly like the corpus. Documents the phrase misses contribute
/// `s_i` each, which is summed as `1 − Σ_{occurring} s_i` to stay O(df). The stage uses
/// [`DocSizes::dp_norm`]; this is its one-phrase form for the tests.
#[cfg(test)]
fn dp_norm(per_doc: &[(u32, u32)], doc_tokens: &[u64]) -> f64 {
    DocSizes::new(doc_tokens).dp_norm(per_doc.iter().copied())
}

/// Document sizes with their total and minimum computed once, so that [`DocSizes::dp_norm`]
/// costs O(df) per phrase instead of a pass over every document.
pub struct DocSizes<'a> {
    tokens: &'a [u64],
    total: u64,
    min: u64,
}

impl<'a> DocSizes<'a> {
    /// Sizes of the documents, in tokens.
    pub fn new(tokens: &'a [u64]) -> DocSizes<'a> {
        DocSizes {
            tokens,
            total: tokens.iter().sum(),
            min: tokens.iter().copied().min().unwrap_or(0),
        }
    }

    /// [`dp_norm`] over these documents, the pairs given as an iterator (read twice).
    pub fn dp_norm(&self, per_doc: impl Iterator<Item = (u32, u32)> + Clone) -> f64 {
        let (doc_tokens, total) = (self.tokens, self.total);
        let occ: u64 = per_doc.clone().map(|(_, c)| u64::from(c)).sum();
        if total == 0 || occ == 0 || doc_tokens.len() < 2 {
            return 0.0;
        }
        let total_f = total as f64;
        let mut sum = 0.0;
        let mut s_seen = 0.0;
        for (d, c) in per_doc {
            let s = doc_tokens.get(d as usize).copied().unwrap_or(0) as f64 / total_f;
            let v = f64::from(c) / occ as f64;
            sum += (v - s).abs();
            s_seen += s;
        }
        sum += (1.0 - s_seen).max(0.0);
        let dp = 0.5 * sum;
        let min_s = self.min as f64 / total_f;
        if min_s >= 1.0 {
            return 0.0;
        }
        (dp / (1.0 - min_s)).clamp(0.0, 1.0)
    }
}

/// Dunning's log-likelihood G2 for a count `a` in a target of size `c` against `b` in a
/// reference of size `d`: `E1 = c(a+b)/(c+d)`, `E2 = d(a+b)/(c+d)`,
/// `G2 = 2(a ln(a/E1) + b ln(b/E2))`, a zero term counting 0. Always ≥ 0.
pub fn g2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    if c + d <= 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| {
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    (2.0 * (term(a, e1) + term(b, e2))).max(0.0)
}

/// Hardie's (2014) log ratio: `log2((a/c) / (b/d))` with 0.5 added to a zero count. 0 when either
/// side is empty (nothing to compare against).
pub fn log_ratio(a: u64, b: u64, c: u64, d: u64) -> f64 {
    if c == 0 || d == 0 {
        return 0.0;
    }
    let fix = |x: u64| if x == 0 { 0.5 } else { x as f64 };
    ((fix(a) / c as f64) / (fix(b) / d as f64)).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn npmi_is_one_when_parts_never_occur_apart() {
        assert!(close(npmi(10, 10, 10, 1000), 1.0));
        // Independent parts: P(p) = P(a) P(b) gives 0.
        assert!(close(npmi(1, 10, 100, 1000), 0.0));
        // Parts that co-occur less than chance are negative.
        assert!(npmi(1, 100, 100, 1000) < 0.0);
    }

    #[test]
    fn npmi_by_hand() {
        // P(p)=0.01, P(a)=0.02, P(b)=0.05: ln(10)/ln(100) = 0.5.
        assert!(close(npmi(10, 20, 50, 1000), 0.5));
    }

    #[test]
    fn dp_even_and_concentrated() {
        let sizes = [100, 100, 100, 100];
        // Spread exactly like the corpus.
        let even = [(0, 5), (1, 5), (2, 5), (3, 5)];
        assert!(close(dp_norm(&even, &sizes), 0.0));
        // All in one report: DP = ½(0.75 + 0.25·3) = 0.75, normalised by 1 − 0.25 → 1.
        assert!(close(dp_norm(&[(2, 20)], &sizes), 1.0));
        // Gries' own example shape: two of four equal parts.
        assert!(close(dp_norm(&[(0, 1), (1, 1)], &sizes), 0.5 / 0.75));
    }

    #[test]
    fn dp_respects_report_sizes() {
        // One report is three times longer; occurrences proportional to size give 0.
        let sizes = [300, 100];
        assert!(close(dp_norm(&[(0, 3), (1, 1)], &sizes), 0.0));
    }

    #[test]
    fn keyness_by_hand() {
        // a=10 of c=20, b=10 of d=80: E1 = 20·20/100 = 4, E2 = 16.
        let expect = 2.0 * (10.0 * (10.0f64 / 4.0).ln() + 10.0 * (10.0f64 / 16.0).ln());
        assert!(close(g2(10, 10, 20, 80), expect));
        assert!(close(log_ratio(10, 10, 20, 80), (0.5f64 / 0.125).log2()));
        // Same relative frequency: no keyness.
        assert!(close(g2(5, 20, 10, 40), 0.0));
        assert!(close(log_ratio(5, 20, 10, 40), 0.0));
        // Zero in the reference: the zero term is 0 and the log ratio uses 0.5.
        assert!(g2(4, 0, 4, 4) > 0.0);
        assert!(close(log_ratio(4, 0, 4, 4), (1.0f64 / 0.125).log2()));
        // Nothing to compare against.
        assert!(close(log_ratio(3, 0, 3, 0), 0.0));
    }

    #[test]
    fn freedom_grows_with_entropy() {
        assert!(close(freedom(0.0), 0.0));
        assert!(freedom(2.0) > freedom(1.0));
        assert!(freedom(50.0) <= 1.0);
    }
}

//! The CRM's arithmetic: RFM-style scores over a partner's customers and
//! the named segments that follow from them. Pure code.
//!
//! - Recency: days since the customer's last activity with the partner
//!   (fewer is better).
//! - Frequency: activities with the partner in the last 90 days.
//! - Satisfaction: mean rating the customer gave the partner (reviews and
//!   ticket surveys); customers who never rated count as neutral (3).
//!
//! Each is cut into quintiles (1 to 5, 5 best) by rank among the partner's
//! customers; equal values share the score of their middle rank.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    pub recency_days: i64,
    pub frequency: i64,
    /// Mean rating in hundredths (450 = 4.5), if any.
    pub satisfaction: Option<i64>,
    /// Days since the first activity with the partner.
    pub first_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Champions,
    Loyal,
    New,
    AtRisk,
    Hibernating,
    Others,
}

impl Segment {
    pub const ALL: [Segment; 6] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::New,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Others,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::New => "new",
            Segment::AtRisk => "at-risk",
            Segment::Hibernating => "hibernating",
            Segment::Others => "others",
        }
    }

    pub fn parse(s: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Segment::Champions => "segment-champions",
            Segment::Loyal => "segment-loyal",
            Segment::New => "segment-new",
            Segment::AtRisk => "segment-at-risk",
            Segment::Hibernating => "segment-hibernating",
            Segment::Others => "segment-others",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub r: u8,
    pub f: u8,
    pub s: u8,
    pub segment: Segment,
}

/// Quintile scores by rank: the larger the value, the higher the score.
/// Equal values share the score of their middle rank, so a tie (or a lone
/// customer) lands in the middle rather than at the bottom.
pub fn quintiles(values: &[i64]) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| values[i]);
    let mut scores = vec![0u8; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Twice the middle position of the group [start, end).
        let twice_mid = start + end - 1;
        let score = 1 + ((twice_mid + 1) * 5) / (2 * n);
        for &i in &order[start..end] {
            scores[i] = score.min(5) as u8;
        }
        start = end;
    }
    scores
}

/// The segment for a customer's scores.
pub fn segment(r: u8, f: u8, s: u8, first_days: i64) -> Segment {
    if r >= 4 && f >= 4 && s >= 4 {
        Segment::Champions
    } else if first_days <= 30 {
        Segment::New
    } else if r >= 3 && f >= 4 {
        Segment::Loyal
    } else if r <= 2 && f >= 3 {
        Segment::AtRisk
    } else if r <= 2 {
        Segment::Hibernating
    } else {
        Segment::Others
    }
}

/// Scores every customer against the others of the same partner.
pub fn score(customers: &[Inputs]) -> Vec<Scores> {
    let recency: Vec<i64> = customers.iter().map(|c| -c.recency_days).collect();
    let frequency: Vec<i64> = customers.iter().map(|c| c.frequency).collect();
    let satisfaction: Vec<i64> = customers
        .iter()
        .map(|c| c.satisfaction.unwrap_or(300))
        .collect();
    let (r, f, s) = (
        quintiles(&recency),
        quintiles(&frequency),
        quintiles(&satisfaction),
    );
    customers
        .iter()
        .enumerate()
        .map(|(i, c)| Scores {
            r: r[i],
            f: f[i],
            s: s[i],
            segment: segment(r[i], f[i], s[i], c.first_days),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_by_rank() {
        assert_eq!(quintiles(&[10, 20, 30, 40, 50]), [1, 2, 3, 4, 5]);
        assert_eq!(quintiles(&[50, 40, 30, 20, 10]), [5, 4, 3, 2, 1]);
        // Ten values: two per quintile.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(quintiles(&ten), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Ties share the score of their middle rank; one value is middling.
        assert_eq!(quintiles(&[5, 5, 5, 9]), [2, 2, 2, 5]);
        assert_eq!(quintiles(&[7]), [3]);
        assert_eq!(quintiles(&[4, 4, 4, 4, 4]), [3, 3, 3, 3, 3]);
        assert!(quintiles(&[]).is_empty());
    }

    #[test]
    fn segments_follow_the_rules() {
        assert_eq!(segment(5, 5, 5, 200), Segment::Champions);
        assert_eq!(segment(5, 1, 3, 10), Segment::New);
        assert_eq!(segment(3, 4, 2, 200), Segment::Loyal);
        assert_eq!(segment(1, 4, 5, 200), Segment::AtRisk);
        assert_eq!(segment(2, 1, 3, 200), Segment::Hibernating);
        assert_eq!(segment(3, 2, 3, 200), Segment::Others);
    }

    #[test]
    fn scoring_a_small_customer_base() {
        let c = |recency_days, frequency, satisfaction, first_days| Inputs {
            recency_days,
            frequency,
            satisfaction,
            first_days,
        };
        let scores = score(&[
            c(1, 12, Some(500), 300),  // recent, frequent, happy
            c(200, 9, Some(400), 400), // long ago but was frequent
            c(300, 1, None, 300),      // long ago, rare
            c(3, 1, None, 3),          // just arrived
            c(60, 4, Some(300), 120),
        ]);
        assert_eq!(scores[0].segment, Segment::Champions);
        assert_eq!(scores[1].segment, Segment::AtRisk);
        assert_eq!(scores[2].segment, Segment::Hibernating);
        assert_eq!(scores[3].segment, Segment::New);
        assert_eq!((scores[0].r, scores[0].f, scores[0].s), (5, 5, 5));
    }

    #[test]
    fn codes_round_trip() {
        for s in Segment::ALL {
            assert_eq!(Segment::parse(s.code()), Some(s));
        }
    }
}

//! Ticket statuses and priorities, and which moves between statuses are
//! allowed. Pure code.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::New => "ticket-status-new",
            Status::Open => "ticket-status-open",
            Status::Pending => "ticket-status-pending",
            Status::Resolved => "ticket-status-resolved",
            Status::Closed => "ticket-status-closed",
        }
    }

    /// Moves staff may make by hand.
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (New, Open | Pending | Resolved)
                | (Open, Pending | Resolved)
                | (Pending, Open | Resolved)
                | (Resolved, Open | Closed)
        )
    }

    /// What a reply does to the status: the requester's reply reopens a
    /// pending or resolved ticket; the first answer of staff or partner
    /// opens a new one. `None` when replying is not allowed (closed).
    pub fn after_reply(self, by_requester: bool) -> Option<Status> {
        use Status::*;
        match (self, by_requester) {
            (Closed, _) => None,
            (Pending | Resolved, true) => Some(Open),
            (New, false) => Some(Open),
            (s, _) => Some(s),
        }
    }

    /// The SLA clock stands still while the ticket waits on the consumer.
    pub fn pauses_clock(self) -> bool {
        self == Status::Pending
    }

    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Priority::Low => "priority-low",
            Priority::Normal => "priority-normal",
            Priority::High => "priority-high",
            Priority::Urgent => "priority-urgent",
        }
    }

    /// Default targets in minutes: (first response, resolution).
    pub fn default_targets(self) -> (i64, i64) {
        match self {
            Priority::Urgent => (60, 4 * 60),
            Priority::High => (4 * 60, 24 * 60),
            Priority::Normal => (8 * 60, 3 * 24 * 60),
            Priority::Low => (24 * 60, 7 * 24 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_by_hand() {
        use Status::*;
        assert!(New.can_move_to(Open));
        assert!(Open.can_move_to(Pending));
        assert!(Pending.can_move_to(Resolved));
        assert!(Resolved.can_move_to(Closed));
        assert!(Resolved.can_move_to(Open));
        assert!(!Closed.can_move_to(Open));
        assert!(!New.can_move_to(Closed));
        assert!(!Open.can_move_to(New));
        assert!(!Open.can_move_to(Open));
    }

    #[test]
    fn replies_move_the_status() {
        use Status::*;
        assert_eq!(Resolved.after_reply(true), Some(Open));
        assert_eq!(Pending.after_reply(true), Some(Open));
        assert_eq!(New.after_reply(true), Some(New));
        assert_eq!(New.after_reply(false), Some(Open));
        assert_eq!(Pending.after_reply(false), Some(Pending));
        assert_eq!(Closed.after_reply(true), None);
        assert_eq!(Closed.after_reply(false), None);
    }

    #[test]
    fn parse_round_trips() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        assert_eq!(Priority::Urgent.default_targets(), (60, 240));
        assert!(Status::Pending.pauses_clock());
    }
}

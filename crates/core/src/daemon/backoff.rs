//! The restart back-off, as zdaemon computes it.
//!
//! A program that dies within `limit` seconds of its start is restarted
//! after a delay that grows by one second per quick death in a row. When
//! the delay reaches `limit` the manager gives up, unless `forever` is set,
//! which keeps the delay at `limit`. A program that ran for `limit` seconds
//! or longer is restarted at once and the delay starts over. So a program
//! that always crashes is started `limit` times before the manager gives up.

use std::time::Duration;

/// What to do after the program died on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Start it again after this many seconds (0: at once).
    RestartAfter(u64),
    /// Stop trying.
    GiveUp,
}

/// The decision after a death following `ran` of run time; `backoff` is the
/// current back-off (seconds), updated in place.
pub fn after_death(backoff: &mut u64, limit: u64, forever: bool, ran: Duration) -> Decision {
    if ran >= Duration::from_secs(limit) {
        *backoff = 0;
        return Decision::RestartAfter(0);
    }
    *backoff += 1;
    if *backoff >= limit {
        if !forever {
            return Decision::GiveUp;
        }
        *backoff = limit;
    }
    Decision::RestartAfter(*backoff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const QUICK: Duration = Duration::from_millis(10);

    #[test]
    fn always_crashing_program_is_started_limit_times() {
        let mut backoff = 0;
        let mut delays = Vec::new();
        while let Decision::RestartAfter(d) = after_death(&mut backoff, 4, false, QUICK) {
            delays.push(d);
        }
        assert_eq!(delays, [1, 2, 3]);
    }

    #[test]
    fn forever_keeps_the_delay_at_the_limit() {
        let mut backoff = 0;
        let delays: Vec<_> = (0..5)
            .map(|_| after_death(&mut backoff, 3, true, QUICK))
            .collect();
        let want = [1, 2, 3, 3, 3].map(Decision::RestartAfter);
        assert_eq!(delays, want);
    }

    #[test]
    fn a_long_run_resets_the_delay() {
        let mut backoff = 2;
        let d = after_death(&mut backoff, 3, false, Duration::from_secs(3));
        assert_eq!((d, backoff), (Decision::RestartAfter(0), 0));
        assert_eq!(
            after_death(&mut backoff, 3, false, QUICK),
            Decision::RestartAfter(1)
        );
    }

    #[test]
    fn limit_zero_never_backs_off_and_limit_one_gives_up_at_once() {
        let mut backoff = 0;
        assert_eq!(
            after_death(&mut backoff, 0, false, QUICK),
            Decision::RestartAfter(0)
        );
        assert_eq!(after_death(&mut backoff, 1, false, QUICK), Decision::GiveUp);
    }

    proptest! {
        #[test]
        fn delays_are_bounded_and_grow_by_one(
            limit in 0u64..50,
            forever: bool,
            runs in proptest::collection::vec(0u64..60, 1..40),
        ) {
            let mut backoff = 0;
            let mut previous = 0;
            for ran in runs {
                let before = backoff;
                match after_death(&mut backoff, limit, forever, Duration::from_secs(ran)) {
                    Decision::RestartAfter(0) => prop_assert!(ran >= limit && backoff == 0),
                    Decision::RestartAfter(d) => {
                        prop_assert!(d <= limit.max(1) && d == backoff);
                        prop_assert!(d == previous + 1 || (forever && d == limit));
                    }
                    Decision::GiveUp => {
                        prop_assert!(!forever && before + 1 >= limit);
                        break;
                    }
                }
                previous = backoff;
            }
        }
    }
}

//! CPU time this process has used, to set beside wall time: their ratio is the share of a
//! core a step kept busy, which says where a second core sits idle.

use std::time::Duration;

/// User plus system CPU time of every thread of this process so far (getrusage
/// RUSAGE_SELF); None where the call fails.
pub fn cpu_time() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes a `rusage` into the pointer it is given, which points at
    // one owned, zeroed `rusage`; it is read only when the call reports success.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    Some(of(usage.ru_utime) + of(usage.ru_stime))
}

fn of(t: libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u64::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::cpu_time;

    #[test]
    fn cpu_time_grows_with_work() {
        let before = cpu_time().expect("getrusage");
        // Busy work the optimiser cannot drop, until the clock moves on.
        let mut x: u64 = 1;
        while cpu_time().expect("getrusage") == before {
            for i in 0..100_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
        }
        assert!(cpu_time().expect("getrusage") > before);
    }
}

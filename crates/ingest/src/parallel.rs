//! Work over an export's tables on several threads, with answers in the tables' order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `work` applied to each item on up to `threads` threads, answers in the items' order
/// whatever order they finished in. Items are taken largest `cost` first, so the biggest
/// table does not start last and leave one thread reading it alone.
pub fn map_ordered<T, R, W, C>(items: &[T], threads: usize, cost: C, work: W) -> Vec<R>
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    C: Fn(&T) -> u64,
{
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Stable, so items of equal cost keep their order.
    order.sort_by_key(|&i| std::cmp::Reverse(items.get(i).map_or(0, &cost)));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            scope.spawn(|| loop {
                let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return;
                };
                let Some(item) = items.get(i) else { return };
                let r = work(item);
                if let Ok(mut d) = done.lock() {
                    d.push((i, r));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_the_items_order() {
        let items: Vec<u64> = (0..50).map(|i| (i * 7919) % 101).collect();
        for threads in [1, 2, 4, 64] {
            let out = map_ordered(&items, threads, |&c| c, |&x| x * 2);
            let expected: Vec<u64> = items.iter().map(|x| x * 2).collect();
            assert_eq!(out, expected, "{threads} threads");
        }
        let none: Vec<u64> = map_ordered(&[], 2, |_: &u64| 0, |&x: &u64| x);
        assert!(none.is_empty());
    }
}

//! The order in which libsinsp walks a process's fd table, which `fd.types` shows.
//!
//! libsinsp keeps each fd table in a `std::unordered_map<int64_t, …>` (`sinsp_fdtable`) and
//! lists its fds by iterating it, so the order is the one GNU libstdc++'s hashtable gives: a
//! single list of nodes; the hash of an fd is the fd itself and its bucket the hash modulo the
//! bucket count; a new key goes in front of the first node of its bucket, or at the head of
//! the list when its bucket is empty; the table grows (`_Prime_rehash_policy`, load factor 1)
//! when an insertion would exceed its threshold, and a rehash re-inserts every node in list
//! order by the same rule; an erase unlinks its node and reorders nothing. [`FdOrder`] keeps
//! that list, the bucket count and the threshold, and is updated by every insertion and
//! removal of the fd table ([`super::FdTable`]).

/// libstdc++'s `__fast_bkt`: bucket counts for small requests.
const FAST_BUCKETS: [u64; 14] = [2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13];

/// The start of libstdc++'s `__prime_list` (`hashtable-aux.cc`), the bucket counts of larger
/// tables. A table beyond its last entry (85,229 fds, above any process's fd limit in
/// practice) grows to the count asked for: its order is then only approximate, and a hostile
/// checkpoint cannot make the growth search long.
const PRIMES: &[u64] = &[
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313,
    337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109,
    1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469, 3739,
    4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273, 11113, 12011,
    12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727, 33223,
    35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229,
];

/// The iteration order of one fd table as libstdc++ would give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdOrder {
    /// The fds in iteration order.
    list: Vec<i64>,
    /// The bucket count (1 for a table that never held an fd).
    buckets: u64,
    /// The element count above which the next insertion grows the table (0: never grown).
    next_resize: u64,
}

impl Default for FdOrder {
    fn default() -> FdOrder {
        FdOrder {
            list: Vec::new(),
            buckets: 1,
            next_resize: 0,
        }
    }
}

impl FdOrder {
    /// The fds in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.list.iter().copied()
    }

    /// The bucket count and growth threshold, for checkpoints.
    pub fn shape(&self) -> (u64, u64) {
        (self.buckets, self.next_resize)
    }

    /// An order restored from a checkpoint: the fds in iteration order and the shape; `None`
    /// when the shape is impossible (no bucket).
    pub fn restore(list: Vec<i64>, buckets: u64, next_resize: u64) -> Option<FdOrder> {
        (buckets > 0).then_some(FdOrder {
            list,
            buckets,
            next_resize,
        })
    }

    fn bucket(&self, fd: i64) -> u64 {
        // `std::hash<long>` is the identity; the bucket is the hash (as size_t) modulo.
        (fd as u64) % self.buckets
    }

    /// Links `fd` in front of its bucket's first node, or at the head.
    fn link(&mut self, fd: i64) {
        let b = self.bucket(fd);
        let at = self
            .list
            .iter()
            .position(|&k| self.bucket(k) == b)
            .unwrap_or(0);
        self.list.insert(at, fd);
    }

    /// `_Prime_rehash_policy::_M_next_bkt`.
    fn next_bucket_count(&mut self, n: u64) -> u64 {
        if let Some(&fast) = FAST_BUCKETS.get(n as usize) {
            if n == 0 {
                return 1;
            }
            self.next_resize = fast;
            return fast;
        }
        let p = PRIMES[6..].iter().copied().find(|&p| p >= n).unwrap_or(n);
        self.next_resize = p;
        p
    }

    /// Records a new fd (one not in the table): `_M_insert_unique_node`, growing first when
    /// `_M_need_rehash` says so.
    pub fn insert(&mut self, fd: i64) {
        let after = self.list.len() as u64 + 1;
        if after > self.next_resize {
            let min = after.max(if self.next_resize == 0 { 11 } else { 0 });
            if min >= self.buckets {
                let n = self.next_bucket_count((min + 1).max(self.buckets.saturating_mul(2)));
                self.buckets = n;
                for k in std::mem::take(&mut self.list) {
                    self.link(k);
                }
            } else {
                self.next_resize = self.buckets;
            }
        }
        self.link(fd);
    }

    /// Forgets an fd.
    pub fn remove(&mut self, fd: i64) {
        if let Some(i) = self.list.iter().position(|&k| k == fd) {
            self.list.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_tables_list_fds_newest_first_per_bucket() {
        let mut o = FdOrder::default();
        for fd in [0, 1, 2, 3] {
            o.insert(fd);
        }
        // 13 buckets, no collision: each new fd goes to the head.
        assert_eq!(o.iter().collect::<Vec<_>>(), [3, 2, 1, 0]);
        assert_eq!(o.shape(), (13, 13));
        // 16 shares bucket 3 with fd 3: it goes in front of it, not at the head.
        o.insert(16);
        assert_eq!(o.iter().collect::<Vec<_>>(), [16, 3, 2, 1, 0]);
        o.remove(2);
        assert_eq!(o.iter().collect::<Vec<_>>(), [16, 3, 1, 0]);
    }

    #[test]
    fn growing_rehashes_in_list_order() {
        let mut o = FdOrder::default();
        for fd in 0..14 {
            o.insert(fd);
        }
        // The 14th fd grows the table to 29 buckets: the rehash reverses the list of 13,
        // then 13 goes to the head.
        assert_eq!(o.shape(), (29, 29));
        let got: Vec<_> = o.iter().collect();
        let mut want: Vec<i64> = vec![13];
        want.extend(0..13);
        assert_eq!(got, want);
    }
}

//! One isolation tree, stored as a flat array of nodes, and the average path length `c(n)`.

use serde::{Deserialize, Serialize};

use crate::engine::math;
use crate::engine::rng::{self, EngineRng};

/// Euler–Mascheroni constant (numpy's `np.euler_gamma`), used in the harmonic-number estimate.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// A feature whose range at a node is at most this is treated as constant there (scikit-learn's
/// `FEATURE_THRESHOLD` in its tree splitters).
const FEATURE_THRESHOLD: f64 = 1e-7;

/// Marks a leaf in [`Node::feature`].
const LEAF: u32 = u32::MAX;

/// Average path length of an unsuccessful search in a binary search tree of `n` points,
/// `c(n) = 2 H(n − 1) − 2 (n − 1) / n` with `H(i) ≈ ln(i) + γ`; `c(0) = c(1) = 0`, `c(2) = 1`.
///
/// This is the normaliser of the isolation score and the correction added at a leaf holding `n`
/// training points (the depth an unbuilt subtree would have added). It equals scikit-learn's
/// `sklearn.ensemble._iforest._average_path_length`.
pub fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * (math::ln(n - 1.0) + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

/// The height limit `ceil(log2(max(ψ, 2)))` of a tree grown on `psi` points, in integers.
pub(super) fn height_limit(psi: usize) -> u32 {
    let target = psi.max(2) as u64;
    let mut h = 0u32;
    while (1u64 << h) < target {
        h += 1;
    }
    h
}

/// One node. Internal nodes send a row left when `row[feature] <= threshold`; leaves have
/// `feature == LEAF`. `size` is the number of training points that reached the node.
///
/// Serialized as a tuple `(feature, threshold, left, right, size)` to keep saved models small.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "(u32, f64, u32, u32, u32)", into = "(u32, f64, u32, u32, u32)")]
pub(super) struct Node {
    feature: u32,
    threshold: f64,
    left: u32,
    right: u32,
    size: u32,
}

impl From<(u32, f64, u32, u32, u32)> for Node {
    fn from((feature, threshold, left, right, size): (u32, f64, u32, u32, u32)) -> Self {
        Self {
            feature,
            threshold,
            left,
            right,
            size,
        }
    }
}

impl From<Node> for (u32, f64, u32, u32, u32) {
    fn from(n: Node) -> Self {
        (n.feature, n.threshold, n.left, n.right, n.size)
    }
}

impl Node {
    fn leaf(size: u32) -> Self {
        Self {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            size,
        }
    }
}

/// An isolation tree: nodes in a `Vec`, root at 0, children always after their parent (so a walk
/// down the tree only moves forward and always ends, even on a corrupted saved model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Tree {
    nodes: Vec<Node>,
}

/// The training sample of one tree: `rows × width` values, row-major.
pub(super) struct Sample<'a> {
    pub values: &'a [f64],
    pub width: usize,
}

impl Sample<'_> {
    #[inline]
    fn get(&self, row: u32, feature: u32) -> f64 {
        self.values[row as usize * self.width + feature as usize]
    }

    fn rows(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }
}

impl Tree {
    /// Grows a tree on `sample`, splitting only on `features` (the tree's feature subset), until
    /// a node holds one point, reaches `max_depth`, or has only constant features.
    ///
    /// At each node, features are drawn at random without replacement until one is not constant
    /// over the node's points (as scikit-learn's random splitter does with `max_features = 1`);
    /// the threshold is uniform in `[min, max)` of that feature over the node's points.
    pub(super) fn grow(
        sample: &Sample<'_>,
        features: &[u32],
        max_depth: u32,
        rng: &mut EngineRng,
    ) -> Self {
        let n = sample.rows();
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut candidates: Vec<u32> = features.to_vec();
        let mut nodes = vec![Node::leaf(n as u32)];
        // (node slot, start, end, depth) over `order`.
        let mut stack: Vec<(usize, usize, usize, u32)> = vec![(0, 0, n, 0)];
        while let Some((slot, start, end, depth)) = stack.pop() {
            let size = (end - start) as u32;
            if depth >= max_depth || size < 2 {
                nodes[slot] = Node::leaf(size);
                continue;
            }
            let points = &mut order[start..end];
            let Some((feature, lo, hi)) = pick_feature(sample, points, &mut candidates, rng) else {
                nodes[slot] = Node::leaf(size);
                continue;
            };
            let mut threshold = rng::uniform_range(rng, lo, hi);
            if threshold >= hi {
                threshold = lo;
            }
            let n_left = partition(sample, points, feature, threshold);
            let left = nodes.len();
            nodes.push(Node::leaf(n_left as u32));
            let right = nodes.len();
            nodes.push(Node::leaf(size - n_left as u32));
            nodes[slot] = Node {
                feature,
                threshold,
                left: left as u32,
                right: right as u32,
                size,
            };
            stack.push((right, start + n_left, end, depth + 1));
            stack.push((left, start, start + n_left, depth + 1));
        }
        Self { nodes }
    }

    /// Number of nodes.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Walks `row` down to its leaf and returns `depth + c(leaf size)`; `c_table[n]` holds `c(n)`.
    #[inline]
    pub(super) fn path_length(&self, row: &[f64], c_table: &[f64]) -> f64 {
        let mut i = 0usize;
        let mut depth = 0.0;
        while let Some(node) = self.nodes.get(i) {
            let next = match row.get(node.feature as usize) {
                Some(&v) if node.feature != LEAF => {
                    if v <= node.threshold {
                        node.left
                    } else {
                        node.right
                    }
                }
                _ => return depth + c_of(node.size, c_table),
            } as usize;
            if next <= i {
                return depth + c_of(node.size, c_table);
            }
            i = next;
            depth += 1.0;
        }
        depth
    }

    /// Adds to `out[f]` the bits of isolation each split on feature `f` along `row`'s path
    /// achieved: `log2(points at the node / points in the child the row went to)`.
    pub(super) fn add_attribution(&self, row: &[f64], out: &mut [f64]) {
        let mut i = 0usize;
        while let Some(node) = self.nodes.get(i) {
            if node.feature == LEAF {
                return;
            }
            let Some(&v) = row.get(node.feature as usize) else {
                return;
            };
            let next = if v <= node.threshold {
                node.left
            } else {
                node.right
            } as usize;
            let Some(child) = self.nodes.get(next).filter(|_| next > i) else {
                return;
            };
            if child.size > 0 && node.size > child.size {
                if let Some(slot) = out.get_mut(node.feature as usize) {
                    *slot += math::log2(f64::from(node.size) / f64::from(child.size));
                }
            }
            i = next;
        }
    }
}

#[inline]
fn c_of(size: u32, c_table: &[f64]) -> f64 {
    match c_table.get(size as usize) {
        Some(&c) => c,
        None => average_path_length(size as usize),
    }
}

/// Draws candidate features without replacement until one is not constant over `points`;
/// returns it with its range, or `None` when every candidate is constant (the node is a leaf).
fn pick_feature(
    sample: &Sample<'_>,
    points: &[u32],
    candidates: &mut [u32],
    rng: &mut EngineRng,
) -> Option<(u32, f64, f64)> {
    let m = candidates.len();
    for k in 0..m {
        let j = k + rng::index(rng, m - k);
        candidates.swap(k, j);
        let f = candidates[k];
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &p in points.iter() {
            let v = sample.get(p, f);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo > FEATURE_THRESHOLD {
            return Some((f, lo, hi));
        }
    }
    None
}

/// Reorders `points` so those with `value <= threshold` come first; returns how many they are.
fn partition(sample: &Sample<'_>, points: &mut [u32], feature: u32, threshold: f64) -> usize {
    let mut left = 0usize;
    for k in 0..points.len() {
        if sample.get(points[k], feature) <= threshold {
            points.swap(left, k);
            left += 1;
        }
    }
    left
}

// Checks of a saved model, in their own file.
#[path = "tree_validate.rs"]
mod tree_validate;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_path_length_matches_small_cases() {
        assert_eq!(average_path_length(0), 0.0);
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // 2 (ln 2 + γ) − 4/3
        let c3 = 2.0 * (std::f64::consts::LN_2 + EULER_GAMMA) - 4.0 / 3.0;
        assert!((average_path_length(3) - c3).abs() < 1e-15);
    }

    #[test]
    fn height_limit_is_ceil_log2() {
        assert_eq!(height_limit(1), 1);
        assert_eq!(height_limit(2), 1);
        assert_eq!(height_limit(3), 2);
        assert_eq!(height_limit(256), 8);
        assert_eq!(height_limit(257), 9);
    }

    #[test]
    fn constant_sample_gives_a_single_leaf() {
        let values = vec![3.0; 20];
        let sample = Sample {
            values: &values,
            width: 2,
        };
        let mut r = rng::seeded(1);
        let t = Tree::grow(&sample, &[0, 1], 8, &mut r);
        assert_eq!(t.len(), 1);
        // One leaf of 10 points: path length c(10).
        let c: Vec<f64> = (0..=10).map(average_path_length).collect();
        assert_eq!(t.path_length(&[3.0, 3.0], &c), average_path_length(10));
    }

    #[test]
    fn distinct_points_are_isolated_within_the_height_limit() {
        let values: Vec<f64> = (0..16).map(f64::from).collect();
        let sample = Sample {
            values: &values,
            width: 1,
        };
        let mut r = rng::seeded(2);
        let t = Tree::grow(&sample, &[0], 64, &mut r);
        // 16 leaves of one point each: 31 nodes.
        assert_eq!(t.len(), 31);
        let c = vec![0.0; 2];
        for v in &values {
            let h = t.path_length(&[*v], &c);
            assert!((1.0..=15.0).contains(&h), "depth {h}");
        }
    }

    #[test]
    fn corrupted_child_index_does_not_loop() {
        let t = Tree {
            nodes: vec![
                Node {
                    feature: 0,
                    threshold: 0.5,
                    left: 0,
                    right: 7,
                    size: 4,
                },
                Node::leaf(2),
            ],
        };
        assert_eq!(
            t.path_length(&[0.0], &[0.0, 0.0, 1.0]),
            average_path_length(4)
        );
        assert_eq!(t.path_length(&[1.0], &[0.0, 0.0, 1.0]), 1.0);
        let mut out = vec![0.0];
        t.add_attribution(&[0.0], &mut out);
        assert_eq!(out, vec![0.0]);
    }
}

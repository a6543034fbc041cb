//! Which groups of assessments a report may show (issue 16, "privacy by construction"): a group
//! smaller than `--min-group` is hidden, and so is the smallest shown group beside it when the
//! hidden ones together could otherwise be worked out by subtraction. Pure functions.

/// For groups of a breakdown whose sizes sum to the parent's size, which may be shown.
///
/// A group with fewer than `min` members is hidden. If the hidden groups then hold between 1
/// and `min - 1` members in total, subtracting the shown groups from the parent would reveal
/// them, so the smallest shown group is hidden too, and so on until the hidden ones hold at
/// least `min` members or nothing is shown.
pub(crate) fn shown_groups(sizes: &[usize], min: usize) -> Vec<bool> {
    let mut shown: Vec<bool> = sizes.iter().map(|&n| n >= min).collect();
    loop {
        let hidden: usize = sizes
            .iter()
            .zip(&shown)
            .filter(|(_, &s)| !s)
            .map(|(n, _)| n)
            .sum();
        if hidden == 0 || hidden >= min {
            return shown;
        }
        let smallest = (0..sizes.len())
            .filter(|&i| shown[i])
            .min_by_key(|&i| (sizes[i], i));
        match smallest {
            Some(i) => shown[i] = false,
            None => return shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown_groups;

    #[test]
    fn small_groups_and_their_complements_are_hidden() {
        let cases: &[(&[usize], usize, &[bool])] = &[
            (&[], 5, &[]),
            (&[5, 5], 5, &[true, true]),
            (&[4], 5, &[false]),
            // One hidden group of 2 could be recovered from the total: hide the next smallest.
            (&[10, 6, 2], 5, &[true, false, false]),
            // Hidden groups already hold 5 together: nothing more to hide.
            (&[10, 3, 2], 5, &[true, false, false]),
            (&[10, 3, 3], 5, &[true, false, false]),
            (&[8, 9, 4], 5, &[false, true, false]),
            (&[0, 7], 5, &[false, true]),
            (&[3, 3], 1, &[true, true]),
        ];
        for (sizes, min, expected) in cases {
            assert_eq!(shown_groups(sizes, *min), *expected, "{sizes:?} min {min}");
        }
    }
}

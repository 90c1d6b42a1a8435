//! Proxies: how well one model feature alone tells a sensitive attribute's groups apart.
//!
//! For each feature and each group, the AUC of the feature for "in the group" against "not
//! in it", taken the way round that is at least 0.5 (a feature that separates in either
//! direction is a proxy): for numbers, the Mann–Whitney statistic over the values (missing
//! values ranked together below every number); for categories, whose codes have no order,
//! the categories are ranked by the group's share in each (the best order the feature
//! allows), so the figure is the most the feature can tell. A feature's strength for an
//! attribute is its largest AUC over the attribute's groups; at or above the policy's
//! `proxy_auc` it is flagged as a strong proxy.
//!
//! Uses: domain.

use rayon::prelude::*;

/// One feature's strength as a proxy of one attribute.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Proxy {
    /// The model feature.
    pub feature: String,
    /// The attribute (its column).
    pub attribute: String,
    /// The group the feature tells apart best.
    pub group: String,
    /// Its AUC for that group against the rest (0.5 to 1).
    pub auc: f64,
    /// At or above the policy's `proxy_auc`.
    pub strong: bool,
}

/// One model feature's values over the clients.
#[derive(Debug, Clone, Copy)]
pub struct FeatureColumn<'a> {
    /// Its name.
    pub name: &'a str,
    /// Whether its values are category codes.
    pub categorical: bool,
    /// One value per client, NaN for missing.
    pub values: &'a [f64],
}

/// One attribute's groups, for the proxies.
#[derive(Debug, Clone, Copy)]
pub struct AttributeGroups<'a> {
    /// The attribute's column.
    pub column: &'a str,
    /// Its groups' names.
    pub names: &'a [String],
    /// Each client's group.
    pub groups: &'a [Option<u32>],
    /// Features that are the attribute itself (its column, what is computed from it).
    pub own: &'a [&'a str],
}

/// The proxies of every feature for every attribute, strongest first: one sort per feature,
/// then one pass over the sorted values per attribute.
pub fn proxies(columns: &[FeatureColumn<'_>], attributes: &[AttributeGroups<'_>], strong_auc: f64) -> Vec<Proxy> {
    let mut found: Vec<Proxy> = columns
        .par_iter()
        .flat_map_iter(|column| {
            let order = (!column.categorical).then(|| sorted_order(column.values));
            attributes
                .iter()
                .filter(|attribute| !attribute.own.contains(&column.name))
                .filter_map(|attribute| {
                    let aucs = match &order {
                        Some(order) => rank_aucs(column.values, order, attribute),
                        None => category_aucs(column.values, attribute),
                    };
                    let (group, auc) = aucs
                        .iter()
                        .enumerate()
                        .filter_map(|(group, auc)| auc.map(|auc| (group, auc.max(1.0 - auc))))
                        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
                    Some(Proxy {
                        feature: column.name.to_string(),
                        attribute: attribute.column.to_string(),
                        group: attribute.names[group].clone(),
                        auc,
                        strong: auc >= strong_auc,
                    })
                })
                .collect::<Vec<Proxy>>()
        })
        .collect();
    found.sort_by(|a, b| b.auc.total_cmp(&a.auc).then_with(|| a.feature.cmp(&b.feature)));
    found
}

/// Missing values sort below every number.
fn sort_key(value: f64) -> f64 {
    if value.is_nan() { f64::NEG_INFINITY } else { value }
}

/// The clients in increasing order of `values`.
fn sorted_order(values: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..values.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| sort_key(values[a as usize]).total_cmp(&sort_key(values[b as usize])));
    order
}

/// Mann–Whitney AUC of each group against the other clients with a group, from the clients
/// in increasing order of the values (ties given their mid-rank among clients with a group).
fn rank_aucs(values: &[f64], order: &[u32], attribute: &AttributeGroups<'_>) -> Vec<Option<f64>> {
    let n_groups = attribute.names.len();
    let mut rank_sums = vec![0.0; n_groups];
    let mut sizes = vec![0.0; n_groups];
    let mut in_block = vec![0.0; n_groups];
    let mut position = 0.0;
    let mut start = 0;
    while start < order.len() {
        let key = sort_key(values[order[start] as usize]);
        let mut end = start;
        let mut members = 0.0;
        while end < order.len() && sort_key(values[order[end] as usize]) == key {
            if let Some(group) = attribute.groups.get(order[end] as usize).copied().flatten()
                && (group as usize) < n_groups
            {
                in_block[group as usize] += 1.0;
                members += 1.0;
            }
            end += 1;
        }
        let mid = position + (members + 1.0) / 2.0;
        for group in 0..n_groups {
            if in_block[group] > 0.0 {
                rank_sums[group] += mid * in_block[group];
                sizes[group] += in_block[group];
                in_block[group] = 0.0;
            }
        }
        position += members;
        start = end;
    }
    let total: f64 = sizes.iter().sum();
    (0..n_groups)
        .map(|group| {
            let (inside, outside) = (sizes[group], total - sizes[group]);
            (inside > 0.0 && outside > 0.0)
                .then(|| (rank_sums[group] - inside * (inside + 1.0) / 2.0) / (inside * outside))
        })
        .collect()
}

/// AUC of each group with the categories ordered by the group's share in each: one pass to
/// count clients per category and group, then each group from the counts.
fn category_aucs(values: &[f64], attribute: &AttributeGroups<'_>) -> Vec<Option<f64>> {
    let n_groups = attribute.names.len();
    let mut counts: std::collections::BTreeMap<i64, Vec<f64>> = std::collections::BTreeMap::new();
    for (&value, &group) in values.iter().zip(attribute.groups) {
        let Some(group) = group.map(|group| group as usize).filter(|&group| group < n_groups) else { continue };
        let key = if value.is_nan() { -1 } else { value as i64 };
        counts.entry(key).or_insert_with(|| vec![0.0; n_groups])[group] += 1.0;
    }
    let cells: Vec<(f64, f64)> = counts.values().map(|row| (0.0, row.iter().sum())).collect();
    (0..n_groups)
        .map(|group| {
            let mut pairs: Vec<(f64, f64)> =
                counts.values().zip(&cells).map(|(row, &(_, total))| (row[group], total - row[group])).collect();
            let inside: f64 = pairs.iter().map(|pair| pair.0).sum();
            let outside: f64 = pairs.iter().map(|pair| pair.1).sum();
            if inside == 0.0 || outside == 0.0 {
                return None;
            }
            // Increasing share of the group: the pairs ordered as a score would.
            pairs.sort_by(|a, b| (a.0 / (a.0 + a.1)).total_cmp(&(b.0 / (b.0 + b.1))));
            let mut outside_below = 0.0;
            let mut wins = 0.0;
            for (inside_here, outside_here) in pairs {
                wins += inside_here * (outside_below + 0.5 * outside_here);
                outside_below += outside_here;
            }
            Some(wins / (inside * outside))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feature_equal_to_the_group_is_a_perfect_proxy_and_noise_is_none() {
        // Group 1 has values 10..20, group 0 values 0..10: AUC 1 (hand count: every pair won).
        let values: Vec<f64> = (0..20).map(f64::from).collect();
        let groups: Vec<Option<u32>> = (0..20).map(|i| Some(u32::from(i >= 10))).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let column = FeatureColumn { name: "X", categorical: false, values: &values };
        let attribute = |groups| AttributeGroups { column: "A", names: &names, groups, own: &[] };
        let found = proxies(&[column], &[attribute(&groups)], 0.7);
        assert_eq!(found[0].auc, 1.0);
        assert!(found[0].strong);
        // Alternating groups over increasing values: group 1 holds 1, 3, ..., 19 against
        // 0, 2, ..., 18: wins 1 + 2 + ... + 10 = 55 of 100 pairs: AUC 0.55.
        let alternating: Vec<Option<u32>> = (0..20).map(|i| Some(i % 2)).collect();
        let found = proxies(&[column], &[attribute(&alternating)], 0.7);
        assert!((found[0].auc - 0.55).abs() < 1e-12, "{}", found[0].auc);
        assert!(!found[0].strong);
        // Categories: codes 0 and 1 hold group 1 in shares 1/4 and 3/4 (4 clients each):
        // ordered by share, group 1's 3 clients in code 1 beat group 0's 3 in code 0 (9 pairs)
        // and tie with its 1 there (1.5); group 1's client in code 0 ties with group 0's 3
        // there (1.5): 12 / 16 = 0.75.
        let codes = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let groups = [0, 0, 0, 1, 1, 1, 1, 0].map(Some);
        let column = FeatureColumn { name: "C", categorical: true, values: &codes };
        let found = proxies(&[column], &[attribute(&groups)], 0.7);
        assert!((found[0].auc - 0.75).abs() < 1e-12, "{}", found[0].auc);
        // Ties across groups count half, and clients without a group are left out: values
        // 1, 1, 2 for group 1 against 1, 3 for group 0 (and a client without a group at 0):
        // pairs (1,1) ½ (1,3) 0 (1,1) ½ (1,3) 0 (2,1) 1 (2,3) 0 = 2 of 6: AUC 1/3, so 2/3.
        let values = [1.0, 1.0, 2.0, 1.0, 3.0, 0.0];
        let groups = [Some(1), Some(1), Some(1), Some(0), Some(0), None];
        let column = FeatureColumn { name: "T", categorical: false, values: &values };
        let found = proxies(&[column], &[attribute(&groups)], 0.7);
        assert!((found[0].auc - 2.0 / 3.0).abs() < 1e-12, "{}", found[0].auc);
        // The attribute's own column is no proxy of it.
        let own = AttributeGroups { column: "A", names: &names, groups: &groups, own: &["T"] };
        assert!(proxies(&[column], &[own], 0.7).is_empty());
    }
}

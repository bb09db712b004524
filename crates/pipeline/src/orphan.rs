//! The reason a reject gives for a reference to a record that is not loaded: written by the
//! entity handler, read back by the report to trace orphans to their missing record.

use migrationai_domain::Kind;

/// Why a row naming a record that is not loaded was rejected; `orphan_target` reads it back.
pub fn orphan_reason(field: &str, id: &str, target: Kind) -> String {
    format!("{field} \"{id}\" is not a loaded {target} record")
}

/// The id and kind an orphan's reason names.
pub fn orphan_target(reason: &str) -> Option<(String, Kind)> {
    let (_, rest) = reason.split_once('"')?;
    let (id, rest) = rest.rsplit_once("\" is not a loaded ")?;
    let kind = rest.strip_suffix(" record")?.parse().ok()?;
    Some((id.to_string(), kind))
}

#[cfg(test)]
mod tests {
    use migrationai_domain::Kind;

    #[test]
    fn orphan_reasons_read_back() {
        let r = super::orphan_reason("project_id", "M \"7\"", Kind::Projects);
        assert_eq!(
            super::orphan_target(&r),
            Some(("M \"7\"".to_string(), Kind::Projects))
        );
        assert_eq!(super::orphan_target("project_id is required"), None);
    }
}

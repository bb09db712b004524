//! The org's layout a push writes into: which project type a matter becomes, and which
//! custom section and field a section value goes to. Read from Filevine once and kept.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell};

use crate::error::FvError;
use crate::ops::{Call, Op};
use crate::paging;
use crate::transport::{call_as, Transport};
use crate::wire::project::{Project, ProjectType};
use crate::wire::section::CustomSection;

/// How matters choose their Filevine project type (the mapping's choice; the target port's).
pub use migrationai_ports::target::ProjectTypeChoice;

/// Where one section value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionField {
    pub section_selector: String,
    pub is_collection: bool,
    pub field_selector: String,
    /// Filevine's field type ("Currency", "YesNo", "Date", ...).
    pub field_type: String,
}

/// Case, spaces and punctuation do not tell names apart.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A mapped section field the org's layout has no place for, found before any value of
/// it is sent: every value of it would be refused alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutGap {
    /// The canonical project type of the matters whose values these are.
    pub project_type: Option<String>,
    pub section: String,
    pub field: String,
    /// Section values with nowhere to go.
    pub values: u64,
    /// Why: the refusal each of them would get ("unknown_section", "unknown_field",
    /// "no_project_type", ...).
    pub code: String,
    pub reason: String,
}

/// The section fields a job maps, with their values per matter type: what
/// [`Layout::gaps`] checks.
pub type Wanted = BTreeMap<(Option<String>, String, String), u64>;

pub struct Layout {
    transport: Arc<dyn Transport>,
    choice: ProjectTypeChoice,
    /// A dry run with no Filevine to read: every name is taken as it is written.
    assumed: bool,
    types: OnceCell<Vec<(i64, String)>>,
    /// Each project type's sections, read once however many values ask at the same time.
    sections: Mutex<HashMap<i64, Arc<OnceCell<Vec<CustomSection>>>>>,
    project_types: Mutex<HashMap<i64, i64>>,
}

impl Layout {
    pub fn new(transport: Arc<dyn Transport>, choice: ProjectTypeChoice) -> Layout {
        Layout {
            transport,
            choice,
            assumed: false,
            types: OnceCell::new(),
            sections: Mutex::new(HashMap::new()),
            project_types: Mutex::new(HashMap::new()),
        }
    }

    /// A layout that assumes every type and section exists (offline dry runs).
    pub fn assumed(transport: Arc<dyn Transport>, choice: ProjectTypeChoice) -> Layout {
        Layout {
            assumed: true,
            ..Layout::new(transport, choice)
        }
    }

    async fn types(&self) -> Result<&Vec<(i64, String)>, FvError> {
        self.types
            .get_or_try_init(|| async {
                let list: Vec<ProjectType> =
                    paging::all(self.transport.as_ref(), Call::new(Op::ProjectTypeList)).await?;
                Ok(list
                    .into_iter()
                    .filter_map(|t| Some((t.project_type_id?.native?, t.name.unwrap_or_default())))
                    .collect())
            })
            .await
    }

    /// The Filevine project type for a matter whose canonical type is `value`: its mapping,
    /// else a Filevine type of the same name, else the default.
    pub async fn project_type(&self, value: Option<&str>) -> Result<i64, FvError> {
        if self.assumed {
            return Ok(0);
        }
        let mapped = value.and_then(|v| {
            self.choice
                .by_value
                .iter()
                .find(|(k, _)| norm(k) == norm(v))
                .map(|(_, target)| target.clone())
        });
        let types = self.types().await?;
        let by_name = |name: &str| {
            name.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| types.iter().any(|(t, _)| t == id))
                .or_else(|| {
                    types
                        .iter()
                        .find(|(_, n)| norm(n) == norm(name))
                        .map(|(id, _)| *id)
                })
        };
        if let Some(target) = &mapped {
            return by_name(target).ok_or_else(|| {
                FvError::refused(
                    Some("project_type"),
                    "unknown_project_type",
                    format!("the mapping sends \"{}\" to Filevine project type \"{target}\", which this org does not have", value.unwrap_or_default()),
                )
            });
        }
        if let Some(id) = value.and_then(by_name) {
            return Ok(id);
        }
        if let Some(id) = self.choice.default.as_deref().and_then(by_name) {
            return Ok(id);
        }
        let known: Vec<&str> = types.iter().map(|(_, n)| n.as_str()).collect();
        Err(FvError::refused(
            Some("project_type"),
            "no_project_type",
            format!(
                "no Filevine project type for \"{}\" and no default type is set; the org has: {}",
                value.unwrap_or(""),
                known.join(", ")
            ),
        ))
    }

    /// Remembers the type of a project this push created.
    pub async fn learn_project(&self, project: i64, project_type: i64) {
        self.project_types
            .lock()
            .await
            .insert(project, project_type);
    }

    /// The type of a project, read once.
    pub async fn type_of_project(&self, project: i64) -> Result<i64, FvError> {
        if self.assumed {
            return Ok(0);
        }
        if let Some(t) = self.project_types.lock().await.get(&project) {
            return Ok(*t);
        }
        let p: Project = call_as(
            self.transport.as_ref(),
            Call::new(Op::ProjectGet).arg(project),
        )
        .await?;
        let t = p.project_type_id.and_then(|t| t.native).ok_or_else(|| {
            FvError::permanent(
                Op::ProjectGet.to_string(),
                "the project has no ProjectTypeId",
            )
        })?;
        self.project_types.lock().await.insert(project, t);
        Ok(t)
    }

    async fn sections_of(
        &self,
        project_type: i64,
    ) -> Result<Arc<OnceCell<Vec<CustomSection>>>, FvError> {
        let cell = self
            .sections
            .lock()
            .await
            .entry(project_type)
            .or_default()
            .clone();
        cell.get_or_try_init(|| {
            paging::all(
                self.transport.as_ref(),
                Call::new(Op::ProjectTypeSections).arg(project_type),
            )
        })
        .await?;
        Ok(cell)
    }

    /// The section and field a value of `section`/`field` goes to on a project type,
    /// matched by name or selector.
    pub async fn field(
        &self,
        project_type: i64,
        section: &str,
        field: &str,
        collection_hint: bool,
    ) -> Result<SectionField, FvError> {
        if self.assumed {
            return Ok(SectionField {
                section_selector: norm(section),
                is_collection: collection_hint,
                field_selector: norm(field),
                field_type: "String".into(),
            });
        }
        let cell = self.sections_of(project_type).await?;
        let sections = cell.get().map(Vec::as_slice).unwrap_or_default();
        let same = |name: &Option<String>, want: &str| {
            name.as_deref().is_some_and(|n| norm(n) == norm(want))
        };
        let Some(sec) = sections
            .iter()
            .find(|s| same(&s.name, section) || same(&s.section_selector, section))
        else {
            let names: Vec<&str> = sections.iter().filter_map(|s| s.name.as_deref()).collect();
            return Err(FvError::refused(
                Some("section"),
                "unknown_section",
                format!(
                    "the project's type has no section \"{section}\"; it has: {}",
                    names.join(", ")
                ),
            ));
        };
        let Some(f) = sec
            .custom_fields
            .iter()
            .find(|f| same(&f.name, field) || same(&f.field_selector, field))
        else {
            let names: Vec<&str> = sec
                .custom_fields
                .iter()
                .filter_map(|f| f.name.as_deref())
                .collect();
            return Err(FvError::refused(
                Some("field"),
                "unknown_field",
                format!(
                    "section \"{section}\" has no field \"{field}\"; it has: {}",
                    names.join(", ")
                ),
            ));
        };
        let selector = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| {
                FvError::permanent(
                    Op::ProjectTypeSections.to_string(),
                    format!("a {what} has no selector"),
                )
            })
        };
        Ok(SectionField {
            section_selector: selector(&sec.section_selector, "section")?,
            is_collection: sec.is_collection,
            field_selector: selector(&f.field_selector, "field")?,
            field_type: f.custom_field_type.clone().unwrap_or_default(),
        })
    }

    /// The mapped section fields of `wanted` the org has no place for, read from its
    /// project types' layouts (one read per type, as the push itself reads them); `None` for
    /// an assumed layout, which cannot tell.
    pub async fn gaps(&self, wanted: &Wanted) -> Result<Option<Vec<LayoutGap>>, FvError> {
        if self.assumed {
            return Ok(None);
        }
        let mut out = Vec::new();
        for ((value, section, field), &values) in wanted {
            let placed = match self.project_type(value.as_deref()).await {
                Ok(t) => self.field(t, section, field, false).await.map(|_| ()),
                Err(e) => Err(e),
            };
            match placed {
                Ok(()) => {}
                Err(FvError::Refused(r)) => out.push(LayoutGap {
                    project_type: value.clone(),
                    section: section.clone(),
                    field: field.clone(),
                    values,
                    code: r.code,
                    reason: r.reason,
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(out))
    }
}

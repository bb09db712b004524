//! The notes kind: its fields, the words exports use for them, and its choices.

use super::*;

pub const NOTES: KindDef = KindDef {
    kind: Kind::Notes,
    description: "Notes filed on a matter or a contact.",
    file_words: &[
        "note",
        "notes",
        "memo",
        "memos",
        "comments",
        "activity notes",
    ],
    fields: &[
        f(
            "note_id",
            SourceId,
            true,
            "The note's id in the source.",
            &["id", "note id", "memo id", "record id"],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            false,
            "The matter the note is on.",
            MATTER_REF,
        ),
        f(
            "contact_id",
            Ref(Kind::Contacts),
            false,
            "The contact the note is on.",
            CONTACT_REF,
        ),
        f(
            "subject",
            Text,
            false,
            "Subject line.",
            &["topic", "subject", "title", "summary", "heading"],
        ),
        f(
            "body",
            LongText,
            true,
            "The note's text.",
            &[
                "body",
                "note",
                "text",
                "detail",
                "details",
                "content",
                "note text",
                "description",
                "memo",
            ],
        ),
        f(
            "noted_at",
            DateTime,
            false,
            "When the note was written.",
            &[
                "date",
                "note date",
                "created",
                "created at",
                "date created",
                "timestamp",
                "entered",
            ],
        ),
        f(
            "author",
            Text,
            false,
            "Who wrote it.",
            &[
                "author",
                "user",
                "created by",
                "entered by",
                "written by",
                "staff",
            ],
        ),
    ],
    one_of: &[&["project_id", "contact_id"]],
};

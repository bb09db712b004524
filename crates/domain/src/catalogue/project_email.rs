//! The project email kind: its fields, the words exports use for them, and its choices.

use super::*;

pub const PROJECT_EMAIL: KindDef = KindDef {
    kind: Kind::ProjectEmail,
    description: "Emails filed to a matter, with their .eml file and attachments.",
    file_words: &[
        "email",
        "emails",
        "e-mail",
        "mail",
        "messages",
        "correspondence",
        "communications",
    ],
    fields: &[
        f(
            "email_id",
            SourceId,
            true,
            "The email's id in the source.",
            &[
                "id",
                "email id",
                "message id",
                "communication id",
                "record id",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter it is filed to.",
            MATTER_REF,
        ),
        f(
            "subject",
            Text,
            false,
            "Subject.",
            &["subject", "title", "re"],
        ),
        f(
            "from",
            Email,
            false,
            "Sender.",
            &["from", "sender", "from address", "sent by"],
        ),
        f(
            "to",
            Text,
            false,
            "Recipients.",
            &["to", "recipients", "to address", "sent to"],
        ),
        f("cc", Text, false, "Copy recipients.", &["cc", "copy to"]),
        f(
            "sent_at",
            DateTime,
            false,
            "When it was sent.",
            &[
                "date",
                "sent",
                "sent at",
                "date sent",
                "received",
                "timestamp",
            ],
        ),
        f(
            "body",
            LongText,
            false,
            "Text body, when the source has no .eml file.",
            &["body", "message", "text", "content"],
        ),
        f(
            "eml_path",
            FilePath,
            false,
            "Path of the .eml file in the export.",
            &[
                "eml",
                "eml file",
                "file",
                "path",
                "message file",
                "file path",
                "eml path",
            ],
        ),
    ],
    one_of: &[&["eml_path", "body", "subject"]],
};

"""Every element id of index.html that the studio's Python uses, by section (a unit test
checks that index.html holds each exactly once). Ids made per item (a card's buttons, a
version's) are written by ``views``. Related ids share a line."""

STUDIO = "studio"  # the <main>: data-busy, data-python, data-embedder
STATUS, STOP, RETRY, MODEL_INFO = "status", "stop", "retry", "model-info"


class Brief:
    FORM, TOPIC, COUNT = "brief-form", "brief", "idea-count"
    # The form field that holds each part of the brief a project keeps.
    FIELDS = {"topic": TOPIC, "audience": "brief-audience", "format": "brief-format", "tone": "brief-tone",
              "keywords": "brief-keywords", "avoid": "brief-avoid", "count": COUNT}


class Ideas:
    LIST, SPARK, COMBINE = "ideas", "spark", "combine"


class Drafting:
    IDEA, WRITE = "draft-idea", "write-draft"
    OUTLINE, UP, DOWN = "outline", "outline-up", "outline-down"


class Editor:
    DRAFT, PREVIEW, STATS = "draft", "draft-preview", "draft-stats"
    UNDO, REDO, COPY = "undo", "redo", "copy-draft"
    EXPORT = {"md": "export-md", "html": "export-html", "txt": "export-txt"}


class Assist:
    PROOFREAD, CORRECTIONS, REWRITES, EXTRAS = "proofread", "corrections", "rewrites", "extras"
    REFINE, REFINE_OPERATION, REFINE_TONE = "refine", "refine-op", "refine-tone"
    # The buttons for a summary or headlines, by kind.
    EXTRA_KINDS = {"tldr": "summarize-tldr", "key points": "summarize-points", "headlines": "make-headlines"}


class Versions:
    LIST, SAVE, COMPARE, DIFF = "history", "save-version", "compare", "diff"


class Provenance:
    SHOW, VIEW, LEGEND = "show-authorship", "authorship-view", "authorship-legend"
    SUMMARY, DISCLOSURE, COPY_DISCLOSURE = "authorship-summary", "disclosure", "copy-disclosure"
    EXPORT_RECORD, EXPORT_CREDENTIALS = "export-record", "export-credentials"
    EXPORTED, EXPORTED_FILES = "exported", "exported-files"
    KEY_INFO, COPY_FINGERPRINT, DOWNLOAD_ROOT = "key-info", "copy-fingerprint", "download-root"
    CREATOR_NAME = "creator-name"


class Verify:
    RUN, DROP, KEY, RESULT = "verify", "verify-drop", "verify-key", "verify-result"
    # The file fields, by what they hold.
    FILES = {"text": "verify-text", "record": "verify-record", "previous": "verify-previous", "trust": "verify-trust"}


class Projects:
    SECTION, LIST, STATUS, STORAGE_NOTE = "projects", "project-list", "project-status", "storage-note"
    NEW, RENAME, DUPLICATE = "project-new", "project-rename", "project-duplicate"
    DELETE, UNDO_DELETE = "project-delete", "project-undo-delete"
    EXPORT, IMPORT = "project-export", "project-import"
    NAME_DIALOG, NAME_FORM, NAME_TITLE = "project-name-dialog", "project-name-form", "project-name-title"
    NAME, NAME_CANCEL = "project-name", "project-name-cancel"
    # The button that opens the name dialog, by what the name is for.
    NAMING = {"new": NEW, "rename": RENAME, "duplicate": DUPLICATE}


class Engine:
    OPEN, DIALOG, FORM, STATUS = "engine-open", "engine-dialog", "engine-form", "engine-status"
    URL, MODEL, KEY = "engine-url", "engine-model", "engine-key"
    LIST, TEST, BUILTIN, CLOSE = "engine-list", "engine-test", "engine-builtin", "engine-close"
    DEVICE, BUILTIN_MODEL = "engine-device", "engine-builtin-model"


SECTIONS = (Brief, Ideas, Drafting, Editor, Assist, Versions, Provenance, Verify, Projects, Engine)


def every_id() -> list[str]:
    """Every id above, for the check against index.html."""
    found = [STUDIO, STATUS, STOP, RETRY, MODEL_INFO]
    for section in SECTIONS:
        for name, value in vars(section).items():
            if name.isupper():
                found += list(value.values()) if isinstance(value, dict) else [value]
    return list(dict.fromkeys(found))

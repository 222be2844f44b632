"""Every element id of index.html that the studio's Python uses, by section (a unit test
checks that index.html holds each exactly once). Ids made per item (a card's buttons, a
version's) are written by ``views``."""

STUDIO = "studio"  # the <main>: data-busy, data-python, data-embedder
STATUS = "status"
STOP = "stop"
RETRY = "retry"
MODEL_INFO = "model-info"


class Brief:
    FORM = "brief-form"
    TOPIC = "brief"
    AUDIENCE = "brief-audience"
    FORMAT = "brief-format"
    TONE = "brief-tone"
    KEYWORDS = "brief-keywords"
    AVOID = "brief-avoid"
    COUNT = "idea-count"
    # The form field that holds each part of the brief a project keeps.
    FIELDS = {"topic": TOPIC, "audience": AUDIENCE, "format": FORMAT, "tone": TONE, "keywords": KEYWORDS,
              "avoid": AVOID, "count": COUNT}


class Ideas:
    LIST = "ideas"
    SPARK = "spark"
    COMBINE = "combine"


class Drafting:
    IDEA = "draft-idea"
    OUTLINE = "outline"
    UP = "outline-up"
    DOWN = "outline-down"
    WRITE = "write-draft"


class Editor:
    DRAFT = "draft"
    UNDO = "undo"
    REDO = "redo"
    PREVIEW = "draft-preview"
    STATS = "draft-stats"
    COPY = "copy-draft"
    EXPORT = {"md": "export-md", "html": "export-html", "txt": "export-txt"}


class Assist:
    PROOFREAD = "proofread"
    CORRECTIONS = "corrections"
    REWRITES = "rewrites"
    REFINE = "refine"
    REFINE_OPERATION = "refine-op"
    REFINE_TONE = "refine-tone"
    EXTRAS = "extras"
    # The buttons for a summary or headlines, by kind.
    EXTRA_KINDS = {"tldr": "summarize-tldr", "key points": "summarize-points", "headlines": "make-headlines"}


class Versions:
    LIST = "history"
    SAVE = "save-version"
    COMPARE = "compare"
    DIFF = "diff"


class Provenance:
    SHOW = "show-authorship"
    SUMMARY = "authorship-summary"
    VIEW = "authorship-view"
    LEGEND = "authorship-legend"
    DISCLOSURE = "disclosure"
    COPY_DISCLOSURE = "copy-disclosure"
    EXPORT_RECORD = "export-record"
    EXPORT_CREDENTIALS = "export-credentials"
    COPY_FINGERPRINT = "copy-fingerprint"
    DOWNLOAD_ROOT = "download-root"
    KEY_INFO = "key-info"
    CREATOR_NAME = "creator-name"
    EXPORTED = "exported"
    EXPORTED_FILES = "exported-files"


class Verify:
    RUN = "verify"
    DROP = "verify-drop"
    KEY = "verify-key"
    RESULT = "verify-result"
    # The file fields, by what they hold.
    FILES = {"text": "verify-text", "record": "verify-record", "previous": "verify-previous", "trust": "verify-trust"}


class Projects:
    SECTION = "projects"
    LIST = "project-list"
    NEW = "project-new"
    RENAME = "project-rename"
    DUPLICATE = "project-duplicate"
    DELETE = "project-delete"
    UNDO_DELETE = "project-undo-delete"
    EXPORT = "project-export"
    IMPORT = "project-import"
    NAME_FORM = "project-name-form"
    NAME_CANCEL = "project-name-cancel"
    NAME_DIALOG = "project-name-dialog"
    NAME_TITLE = "project-name-title"
    NAME = "project-name"
    STATUS = "project-status"
    STORAGE_NOTE = "storage-note"
    # The button that opens the name dialog, by what the name is for.
    NAMING = {"new": NEW, "rename": RENAME, "duplicate": DUPLICATE}


SECTIONS = (Brief, Ideas, Drafting, Editor, Assist, Versions, Provenance, Verify, Projects)


def every_id() -> list[str]:
    """Every id above, for the check against index.html."""
    found = [STUDIO, STATUS, STOP, RETRY, MODEL_INFO]
    for section in SECTIONS:
        for name, value in vars(section).items():
            if name.isupper():
                found += list(value.values()) if isinstance(value, dict) else [value]
    return list(dict.fromkeys(found))

"""Who wrote what, and proof of it: the authorship summary and disclosure line, the draft
marked by origin, the signed provenance record and Content Credentials (made with the
creator's own key, kept in this browser), and the draft with its record for a host page.
The provenance and C2PA code (with its cryptography) is imported when first used: it is
slow to load in the page.

Public: ``ProvenanceSection``.
"""
from __future__ import annotations

import json

from ..core.document import export_name
from ..core.errors import StudioError
from ..core.session import DraftChange
from ..core.tracking import Tracked, utc_time
from . import ids, views
from .context import Context
from .state import Change


class ProvenanceSection:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.showing_origins = False
        self.last_record: dict | None = None  # the record signed last in this session: the next chains to it
        page = context.page
        for element, handler in ((ids.Provenance.SHOW, self.toggle_origins),
                                 (ids.Provenance.COPY_DISCLOSURE, self.copy_disclosure),
                                 (ids.Provenance.EXPORT_RECORD, self.export_record),
                                 (ids.Provenance.EXPORT_CREDENTIALS, self.export_credentials),
                                 (ids.Provenance.COPY_FINGERPRINT, self.copy_fingerprint),
                                 (ids.Provenance.DOWNLOAD_ROOT, self.download_root)):
            page.on_click(element, handler)
        page.expose("signDraftForHost", self.sign_for_host)
        context.draft.listen(self.on_draft)
        # The last export's files belong to the project left.
        context.state.listen(lambda change: change is Change.OPENED and page.set_hidden(ids.Provenance.EXPORTED, True))

    def on_draft(self, change: DraftChange) -> None:
        if not change.versions_only:
            self.show_authorship()

    def latest_model(self, tracked: Tracked | None = None) -> tuple[str, str, str] | None:
        """The identity of the model that wrote the draft's latest model text."""
        return next((step.model for step in reversed((tracked or self.context.draft.tracked).steps) if step.model),
                    None)

    def model_name(self) -> str | None:
        model = self.latest_model()
        return model[0] if model else None

    def show_authorship(self) -> None:
        """The summary and disclosure lines, and the marked draft when it is shown."""
        page, authorship = self.context.page, self.context.draft.tracked.authorship
        page.set_text(ids.Provenance.SUMMARY, views.summary_sentence(authorship.summary()))
        page.set_text(ids.Provenance.DISCLOSURE, authorship.summary().disclosure(self.model_name()).sentence)
        if self.showing_origins:
            page.set_html(ids.Provenance.VIEW, views.authorship_html(authorship))

    def toggle_origins(self) -> None:
        """Show or hide the draft marked by who wrote each part."""
        self.showing_origins = not self.showing_origins
        page = self.context.page
        page.set_attribute(ids.Provenance.SHOW, "aria-pressed", str(self.showing_origins).lower())
        page.set_hidden(ids.Provenance.VIEW, not self.showing_origins)
        page.set_hidden(ids.Provenance.LEGEND, not self.showing_origins)
        self.show_authorship()
        self.context.status.show("Showing who wrote what below the draft." if self.showing_origins
                                 else "Hid who wrote what.")

    async def copy_disclosure(self) -> None:
        try:
            await self.context.page.copy(self.context.draft.tracked.authorship.disclosure(self.model_name()).sentence)
            self.context.status.show("Copied the disclosure line.")
        except StudioError as error:
            self.context.status.show(str(error), "error")

    def ready_to_sign(self) -> Tracked | None:
        """The draft to sign, or None (with the reason shown) when there is none or the
        model is still writing into it."""
        if self.context.work.busy:
            self.context.status.show("Wait until the model has finished (or press Stop), then export.", "error")
            return None
        if not self.context.draft.text.strip():
            self.context.status.show("The draft is empty: write or generate something to export.", "error")
            return None
        return self.context.draft.tracked

    async def sign_record(self, tracked: Tracked, label: str):
        """Sign ``tracked``'s provenance record with the creator's key, chained to the record
        signed before it in this session, and save the version as ``label``. Returns the
        record and the version, or None with the reason shown."""
        from ..core.provenance import ProvenanceError, create_record
        from ..core.signing import SigningError, fingerprint

        self.context.status.show("Signing the provenance record…")
        try:
            signer = await self.context.page.signer("signing")
            record = await create_record(tracked.authorship, tracked.actions(), signer, utc_time(),
                                         previous=self.last_record)
        except (StudioError, ProvenanceError, SigningError) as error:
            self.context.status.show(f"The record could not be made: {error}", "error")
            return None
        self.last_record = record
        self.show_key(fingerprint(signer.public_key))
        return record, self.context.draft.save_version(label, tracked=tracked)

    def offer_files(self, files: list[tuple[str, str | bytes, str]]) -> None:
        """Download an export's files, and list them under the provenance buttons to save again
        (a browser may hold back all but the first file of one click)."""
        self.context.page.download_files(ids.Provenance.EXPORTED_FILES, files)
        self.context.page.set_hidden(ids.Provenance.EXPORTED, False)

    async def export_record(self) -> None:
        """Download the draft and its provenance record, signed with the creator's key and
        chained to the record exported before it in this session."""
        tracked = self.ready_to_sign()
        if tracked is None:
            return
        chained = " It follows the record exported before it." if self.last_record else ""
        signed = await self.sign_record(tracked, "Provenance record exported")
        if signed is None:
            return
        record, version = signed
        stem = export_name(tracked.text, "md").removesuffix(".md")
        self.offer_files([(f"{stem}.md", tracked.text, "text/markdown"),
                          (f"{stem}.provenance.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                           "application/json")])
        self.context.status.show(f"Exported {stem}.md and {stem}.provenance.json for v{version.number}, signed by "
                                 f"your key.{chained}")

    async def sign_for_host(self, origin: str) -> dict | None:
        """The draft and its signed provenance record for the host page at ``origin`` (the
        studio embedded in a creator's site, assets/embedded.js), or None with the reason
        shown. The record is made and chained as an exported one."""
        tracked = self.ready_to_sign()
        signed = tracked and await self.sign_record(tracked, f"Sent to {origin}")
        if not signed:
            return None
        record, version = signed
        self.context.status.show(f"Sent v{version.number} and its signed provenance record to {origin}.")
        return {"text": tracked.text, "record": record}

    async def creator_credentials(self):
        """The creator's signing credentials for Content Credentials, and their certificates:
        made on first use, then kept (a name typed in the name field that differs from the
        certificates' makes new ones)."""
        from datetime import datetime, timezone

        from ..core.c2pa import Credentials
        from ..core.certificates import creator_certificates

        page = self.context.page
        root, signing = await page.signer("root"), await page.signer("signing")
        certificates = await creator_certificates(
            root, signing.public_key, page.value(ids.Provenance.CREATOR_NAME).strip() or None,
            datetime.now(timezone.utc), await page.load_certificate("root"), await page.load_certificate("signing"))
        if certificates.new_root:
            await page.save_certificate("root", certificates.root)
        if certificates.new_signing:
            await page.save_certificate("signing", certificates.signing)
        return Credentials(signing, certificates.signing), certificates

    async def export_credentials(self) -> None:
        """Download the draft, a ``.c2pa`` sidecar for it, and the draft carrying its
        Content Credentials in the text itself."""
        tracked = self.ready_to_sign()
        if tracked is None:
            return
        from ..core import c2pa
        from ..core.certificates import CertificateError, certificate_subject
        from ..core.provenance import ModelIdentity
        from ..core.signing import SigningError

        status = self.context.status
        status.show("Signing the Content Credentials…")
        stem = export_name(tracked.text, "md").removesuffix(".md")
        model = self.latest_model(tracked)
        try:
            credentials, certificates = await self.creator_credentials()
            action = c2pa.export_action(tracked.authorship, utc_time(), ModelIdentity(*model) if model else None)
            sidecar = await c2pa.sidecar_manifest(tracked.text.encode("utf-8"), [action], credentials,
                                                  title=f"{stem}.md")
            embedded = await c2pa.embed_manifest(tracked.text, [action], credentials, title=f"{stem}.md")
        except (StudioError, c2pa.C2paError, CertificateError, SigningError) as error:
            status.show(f"The Content Credentials could not be made: {error}", "error")
            return
        version = self.context.draft.save_version("Content Credentials exported", tracked=tracked)
        self.offer_files([(f"{stem}.md", tracked.text, "text/markdown"), (f"{stem}.c2pa", sidecar, "application/c2pa"),
                          (f"{stem}.credentials.md", embedded, "text/markdown")])
        new = " (a new root certificate: publish it again)" if certificates.new_root else ""
        status.show(f"Exported {stem}.md with its sidecar {stem}.c2pa, and {stem}.credentials.md carrying its "
                    f"Content Credentials, for v{version.number}; signed as "
                    f"{certificate_subject(certificates.signing)}{new}.")

    def show_key(self, key_fingerprint: str) -> None:
        self.context.page.set_text(ids.Provenance.KEY_INFO, f"Your key's fingerprint: {key_fingerprint}")

    async def copy_fingerprint(self) -> None:
        """Copy the fingerprint of the creator's key (made now if it is the first use)."""
        from ..core.signing import fingerprint

        try:
            key_fingerprint = fingerprint((await self.context.page.signer("signing")).public_key)
            self.show_key(key_fingerprint)
            await self.context.page.copy(key_fingerprint)
        except StudioError as error:
            self.context.status.show(str(error), "error")
            return
        self.context.status.show("Copied your key's fingerprint: publish it where readers can find it.")

    async def download_root(self) -> None:
        """Download the creator's root certificate (PEM) for readers to trust."""
        from ..core.certificates import pem

        try:
            _, certificates = await self.creator_credentials()
        except StudioError as error:
            self.context.status.show(str(error), "error")
            return
        self.context.page.download("musespark-root-certificate.pem", pem(certificates.root), "application/x-pem-file")
        self.context.status.show("Downloaded musespark-root-certificate.pem: readers who trust it see your Content "
                                 "Credentials as trusted.")

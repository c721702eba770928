"""PDF rendering behind a small protocol, with WeasyPrint as the real renderer and a fake for tests."""

from __future__ import annotations

from typing import Protocol


class PdfRenderer(Protocol):
    """Turns a complete HTML document into PDF bytes."""

    def __call__(self, html: str, *, base_url: str | None = None) -> bytes: ...


class WeasyPrintRenderer:
    """The real renderer: WeasyPrint (needs Pango; Debian packages in README's test command)."""

    def __call__(self, html: str, *, base_url: str | None = None) -> bytes:
        from weasyprint import HTML

        pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
        return pdf


class FakePdfRenderer:
    """A test double: records the HTML it was given and returns a tiny marker 'PDF'."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, html: str, *, base_url: str | None = None) -> bytes:
        self.calls.append(html)
        return b"%PDF-FAKE\n" + html.encode("utf-8")

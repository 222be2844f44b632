"""MuseSpark's Python studio: a pure core (``app.core``), the page UI (``app.ui``)
and the one module that touches the browser (``app.bridge``)."""

"""MuseSpark's Python studio: a pure core (``app.core``), the page's sections
(``app.studio``) and the one package that touches the browser (``app.bridge``)."""

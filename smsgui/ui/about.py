"""The About dialog: version, licenses and the credit the shipped data requires."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from smsgui import __version__

ABOUT_HTML = """
<h2>smsgui {version}</h2>
<p>Send test SMS through the Vonage SMS API and understand what happened.</p>
<p>smsgui is free software under the MIT License.</p>
<h3>Data</h3>
<p>Mobile network names: derived from the npm package <i>mcc-mnc-list</i> 1.1.11
(MIT License, &copy; 2016 Peter Bakondy), built from Wikipedia's
<a href="https://en.wikipedia.org/wiki/Mobile_country_code">Mobile country code</a> list
by Wikipedia contributors, licensed
<a href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.</p>
<p>Country names: from the locale data of <i>phonenumbers</i> (Apache License 2.0).</p>
<p>Troubleshooting entries: written for smsgui from Vonage's public documentation, which each
entry links.</p>
<h3>Built with</h3>
<p>Qt for Python (PySide6 {pyside}, LGPLv3), httpx (BSD), keyring (MIT),
phonenumbers (Apache 2.0), platformdirs (MIT), Python {python}.</p>
"""


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About smsgui")
        layout = QVBoxLayout(self)
        text = QTextBrowser()
        text.setOpenExternalLinks(True)
        text.setAccessibleName("About smsgui")
        text.setHtml(ABOUT_HTML.format(version=__version__, pyside=pyside_version,
                                       python=platform.python_version()))
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 480)

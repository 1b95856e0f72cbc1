"""Headless NN Studio: ``nnstudio train``, ``predict``, ``compare`` and ``landscape``.

The flags are a stable contract: scripts and outside tests rely on them. Bad input exits
with code 2 and one line on stderr naming the problem; nothing half-written is left
behind. A run whose loss becomes NaN, infinite or runaway stops at that cycle, goes back to
the last checkpoint whose loss was sane, says so on stderr, exports those weights (and the
history up to them) if asked to, and exits with code 3. This package parses and reports; the
work is the engine's.

``parser`` is the one parser of ``nnstudio`` (without a command, ``__main__`` opens the
window with the options it parsed); ``train``, ``predict``, ``compare`` and ``landscape``
hold one command each, ``training`` what the training commands share, ``dispatch`` the
command table. ``--export`` picks the format from the file name
(``engine.io.exports.EXPORT_FORMATS``); figures are drawn with numpy alone (``engine.io.raster_charts``).
"""

from nnstudio.cli.dispatch import main
from nnstudio.cli.parser import build_parser

__all__ = ["build_parser", "main"]

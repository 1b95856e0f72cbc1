"""A short guided tour of how a network learns, with a "Show me" button per idea.

The dialog only explains and asks: each button emits a key from
:data:`GUIDE_ACTIONS`, and the main window turns it into something to watch
(one forward phase, a large learning rate for a few cycles, ...). It is
non-modal, so the learner can keep it open next to the network.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from nnstudio.ui.colormaps import MUTED_TEXT_COLOR, TEXT_COLOR

__all__ = ["GuideDialog", "GuideSection", "GUIDE_ACTIONS", "GUIDE_SECTIONS", "GUIDE_TITLE"]

GUIDE_TITLE = "How a network learns"

#: Keys emitted by :attr:`GuideDialog.sig_action`, in reading order.
GUIDE_ACTIONS = (
    "feedforward",
    "sigmoid",
    "error",
    "mse",
    "chain_rule",
    "gradient_descent",
    "learning_rate",
    "noise",
)


#: Background of inline formulas: the grey of the app's hairlines, lightened.
_FORMULA_TINT = "#eef1f5"


def _formula(text: str) -> str:
    """A formula kept on one line (a break inside "1 / (1 + e⁻ˢ)" would garble it) on a light tint.

    The tint sets it off like inline code without a second typeface or size,
    which made the lines around it uneven.
    """
    return f"<span style='white-space:nowrap; background-color:{_FORMULA_TINT};'>&nbsp;{text}&nbsp;</span>"


class GuideSection(NamedTuple):
    """One paragraph of the guide: its action key, heading and rich-text body."""

    key: str
    title: str
    body: str


_INTRO = (
    "A network learns by repeating one cycle: send the inputs forward, measure how wrong "
    "the outputs are, send that blame backwards, and nudge every weight a little. "
    "Read a paragraph, then press <i>Show me</i> to watch that part happen."
)

#: The guide's paragraphs, one per key of :data:`GUIDE_ACTIONS`.
GUIDE_SECTIONS: tuple[GuideSection, ...] = (
    GuideSection(
        "feedforward",
        "Feedforward: the inputs flow forward",
        "The inputs enter on the left and travel along the weights towards the output. "
        "Each neuron multiplies every incoming value by the weight of its connection and "
        "adds them up (plus its bias). It passes that sum, squashed by its activation, "
        "on to the next layer.",
    ),
    GuideSection(
        "sigmoid",
        "The sigmoid: a smooth on/off switch",
        "The sigmoid turns a neuron's sum into a value between 0 and 1: "
        + _formula("&sigma;(sum) = 1 / (1 + e<sup>&minus;sum</sup>)") + ". A large negative sum gives almost 0, "
        "a large positive one almost 1, and in between it changes smoothly. That smoothness "
        "matters: a small change in a weight makes a small change in the output, so the "
        "network can learn in small steps.",
    ),
    GuideSection(
        "error",
        "Error: how far off is each output?",
        "After the forward pass, each output is compared with its target: "
        + _formula("error = target &minus; output") + ". A positive error means the output was too low, "
        "a negative one that it was too high. So the error tells both which way and how far "
        "each output should move.",
    ),
    GuideSection(
        "mse",
        "Loss: all the errors as one number",
        "Square each error, add them up and divide by the number of outputs: "
        + _formula("MSE = &Sigma; error&sup2; / number of outputs") + ". Squaring makes misses in either "
        "direction count, and big misses count most; averaging makes it one number, the "
        "loss. Learning means making that number smaller, and the loss plot follows it "
        "cycle by cycle.",
    ),
    GuideSection(
        "chain_rule",
        "The chain rule: blame flows backwards",
        "To lower the loss, each weight needs to know how the loss changes when it changes. "
        "The chain rule links small changes along a path: if z depends on y and y on x, then "
        + _formula("dz/dx = dz/dy &middot; dy/dx") + ". Applied layer by layer from the output back to the "
        "input, it gives every weight its share of the blame. That is backpropagation: "
        "feedforward run in reverse.",
    ),
    GuideSection(
        "gradient_descent",
        "Gradient descent: a small step downhill",
        "Each weight moves against its gradient, the direction in which the loss grows: "
        + _formula("&Delta;w = &minus;lr &middot; &delta; &middot; a") + ". Here &delta; is the blame arriving "
        "at the neuron the weight feeds, and <i>a</i> is the value coming in along the weight. "
        "One forward pass, one backward pass and this update make one cycle.",
    ),
    GuideSection(
        "learning_rate",
        "The learning rate: how big a step",
        "The learning rate <i>lr</i> scales every step. Too large, and the weights overshoot "
        "the low point, so the loss jumps about or even grows; too small, and learning "
        "crawls. A good rate is the largest one that still brings the loss down steadily.",
    ),
    GuideSection(
        "noise",
        "Noise: a shake out of poor minima",
        "Gradient descent only ever goes downhill, so it can settle in a dip that is not the "
        "lowest point. A little random noise added to each weight update shakes the weights "
        "out of shallow dips. The noise shrinks as training goes on, so the network can still "
        "settle at the end.",
    ),
)


def _section_frame(number: int, section: GuideSection, parent: QWidget) -> tuple[QFrame, QPushButton]:
    """A card: numbered heading, paragraph and a right-aligned "Show me" button."""
    frame = QFrame(parent, objectName=f"guideSection_{section.key}")
    frame.setFrameShape(QFrame.Shape.NoFrame)
    # The cards are separated by a hairline rather than boxed: lighter to read through.
    frame.setStyleSheet(f"QFrame#guideSection_{section.key} {{ border-top: 1px solid #dadce0; }}")
    title = QLabel(f"{number}. {section.title}", frame)
    font = QFont(title.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() + 1)
    title.setFont(font)
    title.setStyleSheet(f"color: {TEXT_COLOR};")
    body = QLabel(f"<p style='line-height:125%;'>{section.body}</p>", frame)
    body.setTextFormat(Qt.TextFormat.RichText)
    body.setWordWrap(True)
    body.setStyleSheet(f"color: {TEXT_COLOR};")
    body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    button = QPushButton("Show me", frame, objectName=f"guideButton_{section.key}")
    button.setToolTip("Do this step in the simulator and point at it")
    # Enter in the dialog must not start a demonstration nobody asked for.
    button.setAutoDefault(False)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(2, 10, 2, 6)
    layout.setSpacing(4)
    layout.addWidget(title)
    layout.addWidget(body)
    layout.addLayout(row)
    return frame, button


class GuideDialog(QDialog):
    """Non-modal page "How a network learns": eight short paragraphs, each with "Show me".

    The object name is always ``"guideDialog"``.

    Parameters
    ----------
    parent : QWidget, optional
        Parent window; the dialog stays on top of it without blocking it.

    Signals
    -------
    sig_action(str)
        A key from :data:`GUIDE_ACTIONS`: the learner pressed that paragraph's "Show me".

    Attributes
    ----------
    buttons : dict of str to QPushButton
        The "Show me" buttons by key, object names ``"guideButton_<key>"``.
    scroll_area : QScrollArea
        Holds the paragraphs.
    """

    sig_action = Signal(str)  # key from GUIDE_ACTIONS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle(GUIDE_TITLE)
        self.setModal(False)

        heading = QLabel(GUIDE_TITLE, self, objectName="guideHeading")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        heading.setFont(font)
        heading.setStyleSheet(f"color: {TEXT_COLOR};")
        intro = QLabel(f"<p style='line-height:125%;'>{_INTRO}</p>", self, objectName="guideIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")

        page = QWidget(objectName="guidePage")
        # a white page reads like a document, set apart from the dialog's chrome
        page.setStyleSheet("QWidget#guidePage { background: white; }")
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(18, 14, 18, 10)
        page_layout.setSpacing(6)
        page_layout.addWidget(heading)
        page_layout.addWidget(intro)
        self.buttons: dict[str, QPushButton] = {}
        for number, section in enumerate(GUIDE_SECTIONS, start=1):
            frame, button = _section_frame(number, section, page)
            # bind the key now; a bare lambda would see the loop's last key
            button.clicked.connect(lambda _checked=False, key=section.key: self.sig_action.emit(key))
            self.buttons[section.key] = button
            page_layout.addWidget(frame)
        page_layout.addStretch(1)

        self.scroll_area = QScrollArea(self, objectName="guideScrollArea")
        self.scroll_area.setWidget(page)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.scroll_area, 1)
        close_row = QHBoxLayout()
        close_row.setContentsMargins(14, 0, 14, 0)
        close_row.addWidget(close)
        layout.addLayout(close_row)
        self.resize(560, 680)

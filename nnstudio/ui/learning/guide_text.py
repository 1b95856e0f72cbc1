"""The guide's words: its paragraphs, one per idea, with the formulas set on one line."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["AUTHOR_SECTION", "GUIDE_SECTIONS", "INTRO", "GuideSection", "formula"]


#: Background of inline formulas: the grey of the app's hairlines, lightened.
_FORMULA_TINT = "#eef1f5"

def formula(text: str) -> str:
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


INTRO = (
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
        + formula("&sigma;(sum) = 1 / (1 + e<sup>&minus;sum</sup>)") + ". A large negative sum gives almost 0, "
        "a large positive one almost 1, and in between it changes smoothly. That smoothness "
        "matters: a small change in a weight makes a small change in the output, so the "
        "network can learn in small steps.",
    ),
    GuideSection(
        "error",
        "Error: how far off is each output?",
        "After the forward pass, each output is compared with its target: "
        + formula("error = target &minus; output") + ". A positive error means the output was too low, "
        "a negative one that it was too high. So the error tells both which way and how far "
        "each output should move.",
    ),
    GuideSection(
        "mse",
        "Loss: all the errors as one number",
        "Square each error, add them up and divide by the number of outputs: "
        + formula("MSE = &Sigma; error&sup2; / number of outputs") + ". Squaring makes misses in either "
        "direction count, and big misses count most; averaging makes it one number, the "
        "loss. Learning means making that number smaller, and the loss plot follows it "
        "cycle by cycle.",
    ),
    GuideSection(
        "chain_rule",
        "The chain rule: blame flows backwards",
        "To lower the loss, each weight needs to know how the loss changes when it changes. "
        "The chain rule links small changes along a path: if z depends on y and y on x, then "
        + formula("dz/dx = dz/dy &middot; dy/dx") + ". Applied layer by layer from the output back to the "
        "input, it gives every weight its share of the blame. That is backpropagation: "
        "feedforward run in reverse.",
    ),
    GuideSection(
        "gradient_descent",
        "Gradient descent: a small step downhill",
        "Each weight moves against its gradient, the direction in which the loss grows: "
        + formula("&Delta;w = &minus;lr &middot; &delta; &middot; a") + ". Here &delta; is the blame arriving "
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


#: The seed author's open question, after backprop: not one of the numbered steps of a cycle,
#: an experiment with one of them.
AUTHOR_SECTION = GuideSection(
    "author_variant",
    "loss = dl/dw or loss += dl/dw?",
    "The seed's author ends with a question: <i>\u201closs = dl/dw or loss += dl/dw \u2026 I haven't "
    "tested this \u2026 There is probably a good reason for this.\u201d</i> Standard backprop <i>sets</i> "
    "each hidden layer's blame from the layer above, every cycle afresh: "
    + formula("&delta; = (&delta;<sub>above</sub> W) &middot; f\u2032(sum)") + ". The author's variant "
    "<i>adds</i> it to the blame the layer kept from earlier cycles, blame for old weights and other "
    "samples. Tick the box to train that way, or press <i>Show me</i>: the current run is pinned and "
    "the same start is trained as long with +=.",
)

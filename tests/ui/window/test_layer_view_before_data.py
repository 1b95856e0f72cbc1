"""The Layer view tab opened before the first snapshot: no error, and the first snapshot brings the request."""

from support.in_process import InProcessRun

from nnstudio.ui import MainWindow


def test_opening_the_layer_view_before_any_snapshot_asks_for_it_once_the_network_is_known(qtbot):
    window = MainWindow(remember=False, trainer=False)
    qtbot.addWidget(window)
    window.show()
    sent = []
    window.sig_command.connect(sent.append)
    window.heatmap_tabs.setCurrentWidget(window.layer_view)  # raised before: choice() needs the network's layers
    assert [name for name, _ in sent if name == "set_layer_view"] == []
    InProcessRun(window).draw()
    requests = [args for name, args in sent if name == "set_layer_view"]
    assert requests == [window.layer_view.choice()]
    window.close()

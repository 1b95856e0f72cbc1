"""The main window and what composes it: side panel, menus, settings, the frame budget and the worker thread."""
